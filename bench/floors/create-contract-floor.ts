/** The create function's contract floor (bench/floors/contract-floor.ts): an order's create, with its sign-plan check. */
import { SERVICE_ORDER_PATHS } from '../../lib/service-order/wechatpay-paths';
import { contractFloorHandler } from './contract-floor';

export const handler = contractFloorHandler(SERVICE_ORDER_PATHS.merchant, { check: true });

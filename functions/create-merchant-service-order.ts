/** POST /merchant/service-orders: creates a sign-plan service order for the direct merchant. */
import { createServiceOrder } from '../lib/operations/service-order-create';
import { operationsFunction } from '../lib/wiring/operations';

export const handler = operationsFunction('create-merchant-service-order', 'merchant', [createServiceOrder], process.env);

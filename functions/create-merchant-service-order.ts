/** POST /merchant/service-orders: creates a sign-plan service order for the direct merchant. */
import { merchantServiceOrder } from '../lib/handlers/service-order-variants';
import { createServiceOrderFunction } from '../lib/wiring/create-service-order';

export const handler = createServiceOrderFunction(merchantServiceOrder, process.env);

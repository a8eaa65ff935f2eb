/** POST /partner/service-orders: creates a sign-plan service order for a service provider's sub-merchant. */
import { partnerServiceOrder } from '../lib/handlers/service-order-variants';
import { createServiceOrderFunction } from '../lib/wiring/create-service-order';

export const handler = createServiceOrderFunction(partnerServiceOrder, process.env);

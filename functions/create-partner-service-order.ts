/** POST /partner/service-orders: creates a sign-plan service order for a service provider's sub-merchant. */
import { createServiceOrder } from '../lib/operations/service-order-create';
import { operationsFunction } from '../lib/wiring/operations';

export const handler = operationsFunction('create-partner-service-order', 'partner', [createServiceOrder], process.env);

/** The direct merchant's plan, user-sign-plan and service-order routes beyond the create (README "Routes"). */
import { LIFECYCLE_OPERATIONS } from '../lib/operations/routes';
import { operationsFunction } from '../lib/wiring/operations';

export const handler = operationsFunction('merchant-lifecycle', 'merchant', LIFECYCLE_OPERATIONS, process.env);

/** Which entries each kind of function serves (serverless.yml routes them): the create function its one, the lifecycle function the rest. */
import type { Operation } from './operation';
import { createPlan, getPlan, stopPlan, syncPlan } from './plans';
import { cancelServiceOrder, completeServiceOrder, getServiceOrder, syncServiceOrder } from './service-orders';
import { createUserSignPlan, getUserSignPlan, stopUserSignPlan, syncUserSignPlan } from './user-sign-plans';

export const LIFECYCLE_OPERATIONS: readonly Operation[] = [
  createPlan,
  getPlan,
  syncPlan,
  stopPlan,
  createUserSignPlan,
  getUserSignPlan,
  syncUserSignPlan,
  stopUserSignPlan,
  completeServiceOrder,
  cancelServiceOrder,
  syncServiceOrder,
  getServiceOrder,
];

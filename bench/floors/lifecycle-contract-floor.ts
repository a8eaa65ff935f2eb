/** The lifecycle function's contract floor (bench/floors/contract-floor.ts): its benchmarked route, a plan's create (nothing to check first). */
import { contractFloorHandler } from './contract-floor';
import { PLAN_CREATE_PATH } from './paths';

export const handler = contractFloorHandler(PLAN_CREATE_PATH, { check: false });

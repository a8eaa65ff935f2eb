/**
 * The WeChat Pay path of the lifecycle function's benchmarked route, a direct merchant's plan
 * create. lib/operations/plans.ts keeps its own beside the plan schemas, which a floor must not bundle.
 */
export const PLAN_CREATE_PATH = '/v3/payscore/plan/payscore-plans';

/** POST /merchant/notify and /partner/notify: WeChat Pay's deduction notifications, recorded exactly once. */
import { deductionNotifyFunction } from '../lib/wiring/deduction-notify';

export const handler = deductionNotifyFunction(process.env);

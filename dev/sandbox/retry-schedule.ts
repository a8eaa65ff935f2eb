const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** WeChat Pay's waits between attempts of an order notification (USER_CONFIRM, USER_PAID): 16 attempts over about 24 h. */
export const WECHATPAY_RETRY_DELAYS_MS: readonly number[] = [
  15 * SECOND, 15 * SECOND, 30 * SECOND, 3 * MINUTE, 10 * MINUTE, 20 * MINUTE, 30 * MINUTE, 30 * MINUTE, 30 * MINUTE,
  HOUR, 3 * HOUR, 3 * HOUR, 3 * HOUR, 6 * HOUR, 6 * HOUR,
];

/** USER_SIGN_PLAN and USER_CANCEL_SIGN_PLAN: every 60 s, 11 attempts in all (the sign-plan notice pages). */
export const SIGN_PLAN_RETRY_DELAYS_MS: readonly number[] = Array.from({ length: 10 }, () => MINUTE);

/** A schedule with every wait multiplied by `scale` (e.g. 0.001 turns 24 h into about 86 s). */
export const scaledRetryDelays = (scale: number, schedule: readonly number[] = WECHATPAY_RETRY_DELAYS_MS): number[] => schedule.map((delay) => delay * scale);

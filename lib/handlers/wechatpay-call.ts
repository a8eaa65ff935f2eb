/** What every handler's call to WeChat Pay shares: who it says it is, and how long it may take. */
import type { Context } from 'aws-lambda';

export const USER_AGENT = 'payscore-sign-plan-lambda/0.1.0';

/** The deadline for WeChat Pay, retries included: `deadlineMs`, cut so that `reservedMs` of the Lambda's time left remain for what follows the call. */
export const callDeadline = (context: Pick<Context, 'getRemainingTimeInMillis'>, deadlineMs: number, reservedMs: number): number =>
  Math.max(0, Math.min(deadlineMs, context.getRemainingTimeInMillis() - reservedMs));

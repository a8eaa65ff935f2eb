/** Scheduled (every 10 minutes by default): the direct merchant's open ledger items asked of WeChat Pay (README "Reconciliation"). */
import { reconcileFunction } from '../lib/wiring/reconcile';

export const handler = reconcileFunction('reconcile-merchant', 'merchant', process.env);

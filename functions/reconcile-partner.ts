/** Scheduled (every 10 minutes by default): the service provider's open ledger items asked of WeChat Pay (README "Reconciliation"). */
import { reconcileFunction } from '../lib/wiring/reconcile';

export const handler = reconcileFunction('reconcile-partner', 'partner', process.env);

/** The ledger's DynamoDB stream: one EventBridge event per change of a plan, user sign plan or service order (README "Events"). */
import { publishLedgerEventsFunction } from '../lib/wiring/publish-ledger-events';

export const handler = publishLedgerEventsFunction(process.env);

/**
 * Reference for the cold-start figure (no target): the secret floor plus the one
 * ledger write SPEC requires before any 2xx, through the same DynamoDB client.
 * Against it, what our own code adds to a cold start shows apart from what the SDK costs.
 */
import { writeLedgerItem } from './ledger-write';
import { handler as secretFloor } from './secret-floor';

export async function handler(): Promise<{ statusCode: number }> {
  await secretFloor();
  await writeLedgerItem();
  return { statusCode: 200 };
}

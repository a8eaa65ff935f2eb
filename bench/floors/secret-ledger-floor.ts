/**
 * The notify function's contract floor, bundled like a function (its cold
 * start is measured against this): the SDK clients it must use and the calls
 * SPEC requires before a 2xx — fetch the secret and parse its keys, then the
 * one ledger write — with none of our code.
 */
import { writeLedgerItem } from './ledger-write';
import { loadSecret } from './secret';

export async function handler(): Promise<{ statusCode: number }> {
  await loadSecret();
  await writeLedgerItem();
  return { statusCode: 200 };
}

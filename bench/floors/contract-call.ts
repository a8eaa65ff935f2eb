/**
 * What SPEC requires of every call that creates or changes something at WeChat Pay, and
 * nothing more: (a create's read of what the ledger knows of its sign plan,) write the intent
 * ahead, the signed call and its verified answer, then the answer's write on the intent's
 * item. The warm figures and the contract floors both use it.
 */
import type { CreateFloor } from './create-floor';
import { floorKey, readLedgerItem, writeAhead, writeLedgerItem } from './ledger-write';

export interface ContractCallOptions {
  /** A create's sign-plan check: one read before anything is written. */
  check: boolean;
}

export async function contractCall(floor: CreateFloor, body: string, options: ContractCallOptions): Promise<void> {
  if (options.check) await readLedgerItem(floorKey());
  const key = floorKey();
  await writeAhead(key, body);
  const answer = await floor.create(Buffer.from(body, 'utf8'));
  await writeLedgerItem({ status: 'DONE', response: answer.toString('utf8') }, key);
}

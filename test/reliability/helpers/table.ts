/** Reading the ledger table directly, for the figures. */
import type { LocalAws } from '../../helpers/local-aws';

/**
 * The table's items. Retried once: the stand-in closes idle keep-alive
 * connections, and a scan after a long idle stretch may hit one (ECONNRESET).
 */
export async function tableItems(aws: LocalAws): Promise<Record<string, unknown>[]> {
  try {
    return await aws.items();
  } catch {
    return aws.items();
  }
}

/**
 * Log hygiene, checked by the test rather than by eye: every log line a file's
 * runs produced, searched for key material, signatures and openids.
 */
import type { DevAccount, DevKeyPair } from '../../../dev/keys';
import { recordingLog, type RecordingLog } from '../../helpers/logs';

/** Longer than anything legitimate a log carries (ids ≤ 64); a signature is 344 characters, a PEM line 64. */
const LONG_BASE64_RUN = /[A-Za-z0-9+/=]{80,}/g;

export interface HygieneReport {
  logLines: number;
  forbiddenValues: number;
  /** What leaked (a description, never the value). */
  leaks: string[];
}

export class LogCollector {
  readonly #logs: RecordingLog[] = [];
  readonly #forbidden = new Map<string, string>();

  /** A fresh recording log whose lines are checked. */
  log(): RecordingLog {
    const log = recordingLog();
    this.#logs.push(log);
    return log;
  }

  forbid(what: string, value: string): void {
    if (value.length > 0) this.#forbidden.set(value, what);
  }

  /** Every line of a PEM's base64 body: a fragment of a key is as bad as the key. */
  forbidPem(what: string, pem: string): void {
    for (const line of pem.split('\n')) if (!line.startsWith('-----') && line.length >= 16) this.forbid(what, line);
  }

  /** The private keys and APIv3 key of accounts, and WeChat Pay's own private key. */
  forbidKeys(accounts: readonly DevAccount[], wechatpay?: DevKeyPair): void {
    for (const account of accounts) {
      this.forbidPem(`merchant private key of ${account.mchid}`, account.merchant.privateKeyPem);
      this.forbid(`APIv3 key of ${account.mchid}`, account.apiV3Key);
    }
    if (wechatpay) this.forbidPem('WeChat Pay private key', wechatpay.privateKeyPem);
  }

  check(): HygieneReport {
    const text = this.#logs.map((log) => log.text()).join('\n');
    const leaks = [...this.#forbidden].filter(([value]) => text.includes(value)).map(([, what]) => what);
    for (const run of text.match(LONG_BASE64_RUN) ?? []) leaks.push(`a ${run.length}-character base64 run (signature, ciphertext or key)`);
    return { logLines: this.#logs.reduce((sum, log) => sum + log.lines.length, 0), forbiddenValues: this.#forbidden.size, leaks: [...new Set(leaks)] };
  }
}

/** The secret's `wechatpayPublicKeys` after a platform certificate download. */
import type { DownloadedCertificate } from './certificate-download';
import { isPublicKeyId, normalizeSerial, type WechatpayKey } from './keys';

export interface MergedKeys {
  /** The new `wechatpayPublicKeys`: ids as stored, new certificates under their serial. */
  keys: Record<string, string>;
  added: string[];
  removed: string[];
}

/**
 * Keeps `PUB_KEY_ID_…` entries untouched and every certificate still valid at
 * `now`, drops expired certificates, and adds downloaded ones not yet stored.
 * `stored` is the secret's object, `loaded` the same keys as `loadWechatpayKeys` read them.
 */
export function mergePlatformCertificates(
  stored: Readonly<Record<string, string>>,
  loaded: ReadonlyMap<string, WechatpayKey>,
  downloaded: readonly DownloadedCertificate[],
  now: number,
): MergedKeys {
  const merged: MergedKeys = { keys: {}, added: [], removed: [] };
  for (const [id, pem] of Object.entries(stored)) {
    // loadWechatpayKeys read every certificate of `stored`, so each has a validity.
    const expired = !isPublicKeyId(id) && now > loaded.get(id.toUpperCase())!.notAfter!;
    if (expired) merged.removed.push(id);
    else merged.keys[id] = pem;
  }
  const kept = new Set(Object.keys(merged.keys).map(normalizeSerial));
  for (const certificate of downloaded) {
    if (kept.has(normalizeSerial(certificate.serial))) continue;
    kept.add(normalizeSerial(certificate.serial));
    merged.keys[certificate.serial] = certificate.pem;
    merged.added.push(certificate.serial);
  }
  return merged;
}

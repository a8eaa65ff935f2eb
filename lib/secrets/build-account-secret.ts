/**
 * Builds the SecretString of SPEC "The secret" from the files a merchant
 * downloads, and checks it the way the functions will read it: the fiddliest
 * step of a deployment, done once and verified.
 */
import { createPublicKey, X509Certificate } from 'node:crypto';
import { ConfigurationError, loadPrivateKey } from '../wechatpay';
import { parseAccountSecret } from './account-credentials';

export interface AccountSecretFiles {
  mchid: string;
  /** `apiclient_key.pem`. */
  merchantPrivateKeyPem: string;
  /** `apiclient_cert.pem`: its serial becomes merchantSerialNo. */
  merchantCertificatePem: string;
  apiV3Key: string;
  /** The WeChat Pay public key (`pub_key.pem`) and its id, when the account uses one. */
  wechatpayPublicKey?: { id: string; pem: string };
  /** Platform certificates (`wechatpay_<serial>.pem`), each stored under its own serial. */
  platformCertificatePems?: readonly string[];
}

function certificate(pem: string, field: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (cause) {
    throw new ConfigurationError(field, 'is not an X.509 certificate PEM', { cause });
  }
}

/** The SecretString, pretty-printed; throws a ConfigurationError naming the file that is wrong. */
export function buildAccountSecret(files: AccountSecretFiles): string {
  const merchantCertificate = certificate(files.merchantCertificatePem, 'merchant certificate');
  const privateKey = loadPrivateKey(files.merchantPrivateKeyPem, 'merchant private key');
  const spki = (key: ReturnType<typeof createPublicKey>) => key.export({ type: 'spki', format: 'der' });
  if (!spki(createPublicKey(privateKey)).equals(spki(merchantCertificate.publicKey))) {
    throw new ConfigurationError('merchant private key', 'does not belong to the merchant certificate: use the apiclient_key.pem issued with apiclient_cert.pem');
  }
  const wechatpayPublicKeys: Record<string, string> = {};
  if (files.wechatpayPublicKey) wechatpayPublicKeys[files.wechatpayPublicKey.id] = files.wechatpayPublicKey.pem;
  for (const [index, pem] of (files.platformCertificatePems ?? []).entries()) {
    wechatpayPublicKeys[certificate(pem, `platform certificate ${index + 1}`).serialNumber] = pem;
  }
  const secret = JSON.stringify(
    {
      mchid: files.mchid,
      merchantSerialNo: merchantCertificate.serialNumber,
      merchantPrivateKey: files.merchantPrivateKeyPem,
      apiV3Key: files.apiV3Key,
      wechatpayPublicKeys,
    },
    null,
    2,
  );
  parseAccountSecret(secret);
  return secret;
}

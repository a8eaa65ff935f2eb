/**
 * Development key material: merchant API key + certificate, WeChat Pay key with
 * both a public key id and a platform certificate, and an APIv3 key. Generated
 * at run time (never committed): `npm start` keeps one set in `.dev-keys/`,
 * tests make their own per run.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const DAY_MS = 86_400_000;

export interface DevKeyPair {
  serial: string;
  privateKeyPem: string;
  publicKeyPem: string;
  certificatePem: string;
}

/** A certificate serial as WeChat Pay prints them: 40 upper-case hex digits, positive. */
export const randomSerial = (): string => {
  const bytes = randomBytes(20);
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return bytes.toString('hex').toUpperCase();
};

const pem = (label: string, der: ArrayBuffer): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;

export async function generateKeyPair(options: { commonName: string; serial?: string; notBefore?: Date; notAfter?: Date }): Promise<DevKeyPair> {
  const serial = options.serial ?? randomSerial();
  const keys = (await webcrypto.subtle.generateKey(RSA, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial,
    name: `CN=${options.commonName}, O=PayScore sign-plan sandbox`,
    notBefore: options.notBefore ?? new Date(Date.now() - DAY_MS),
    notAfter: options.notAfter ?? new Date(Date.now() + 5 * 365 * DAY_MS),
    keys,
    signingAlgorithm: RSA,
  });
  return {
    serial,
    privateKeyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
    publicKeyPem: pem('PUBLIC KEY', await webcrypto.subtle.exportKey('spki', keys.publicKey)),
    certificatePem: certificate.toString('pem') + '\n',
  };
}

/** WeChat Pay's side: one key pair, published both as a public key id and as a platform certificate. */
export interface DevWechatpayKeys {
  publicKeyId: string;
  key: DevKeyPair;
}

/** One WeChat Pay account (a direct merchant or a service provider). */
export interface DevAccount {
  mchid: string;
  merchant: DevKeyPair;
  /** 32 ASCII characters. */
  apiV3Key: string;
}

export const randomApiV3Key = (): string => randomBytes(24).toString('base64url').slice(0, 32);

export async function generateWechatpayKeys(): Promise<DevWechatpayKeys> {
  const digits = Array.from(randomBytes(36), (byte) => String(byte % 10)).join('');
  return { publicKeyId: `PUB_KEY_ID_01${digits}`, key: await generateKeyPair({ commonName: 'Tenpay.com Root CA sandbox' }) };
}

export async function generateAccount(mchid: string): Promise<DevAccount> {
  return { mchid, merchant: await generateKeyPair({ commonName: mchid }), apiV3Key: randomApiV3Key() };
}

export type VerificationMode = 'publicKey' | 'certificate' | 'both';

/** The SecretString of SPEC "The secret" for `account`, trusting WeChat Pay's key in `mode`. */
export function accountSecret(account: DevAccount, wechatpay: DevWechatpayKeys, mode: VerificationMode = 'both'): string {
  const wechatpayPublicKeys: Record<string, string> = {};
  if (mode !== 'certificate') wechatpayPublicKeys[wechatpay.publicKeyId] = wechatpay.key.publicKeyPem;
  if (mode !== 'publicKey') wechatpayPublicKeys[wechatpay.key.serial] = wechatpay.key.certificatePem;
  return JSON.stringify({
    mchid: account.mchid,
    merchantSerialNo: account.merchant.serial,
    merchantPrivateKey: account.merchant.privateKeyPem,
    apiV3Key: account.apiV3Key,
    wechatpayPublicKeys,
  });
}

/** The development world of `npm start`: a direct merchant, a service provider and WeChat Pay. */
export interface DevKeys {
  wechatpay: DevWechatpayKeys;
  merchant: DevAccount;
  partner: DevAccount;
}

export async function generateDevKeys(): Promise<DevKeys> {
  const [wechatpay, merchant, partner] = await Promise.all([generateWechatpayKeys(), generateAccount('1900000109'), generateAccount('1900000001')]);
  return { wechatpay, merchant, partner };
}

/** Reads the development keys from `dir`, generating them on first use. */
export async function loadOrCreateDevKeys(dir: string): Promise<DevKeys> {
  const file = join(dir, 'keys.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DevKeys;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const keys = await generateDevKeys();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}

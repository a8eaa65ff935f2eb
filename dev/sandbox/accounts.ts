import type { KeyObject } from 'node:crypto';
import { apiV3KeyBytes, ConfigurationError, loadCertificate, loadPublicKey } from '../../lib/wechatpay';
import type { DevKeys } from '../keys';

/** A direct merchant calls the merchant route; a service provider calls the partner route for its sub-merchants. */
export type AccountKind = 'merchant' | 'partner';

/** A WeChat Pay account registered in the sandbox, as WeChat Pay knows it. */
export interface SandboxAccount {
  mchid: string;
  kind: AccountKind;
  /** Serial of the merchant API certificate: requests must name it in `serial_no`. */
  merchantSerialNo: string;
  /** The merchant API certificate PEM or its SPKI public key PEM: verifies request signatures. */
  merchantPublicKeyPem: string;
  /** 32 characters: encrypts this account's notifications. */
  apiV3Key: string;
  /** Service providers only: the sub-merchants it may act for. Omitted: any. */
  subMchids?: readonly string[];
}

export interface RegisteredAccount {
  config: SandboxAccount;
  publicKey: KeyObject;
  apiV3Key: Buffer;
}

/** Loads every account's keys once at start, so that a bad PEM fails `startSandbox`, not a request. */
export function registerAccounts(accounts: readonly SandboxAccount[]): Map<string, RegisteredAccount> {
  const registered = new Map<string, RegisteredAccount>();
  accounts.forEach((config, index) => {
    const field = `accounts[${index}]`;
    if (registered.has(config.mchid)) throw new ConfigurationError(`${field}.mchid`, `${config.mchid} is registered twice`);
    const publicKey = config.merchantPublicKeyPem.includes('BEGIN CERTIFICATE')
      ? loadCertificate(config.merchantPublicKeyPem, config.merchantSerialNo, `${field}.merchantPublicKeyPem`)
      : loadPublicKey(config.merchantPublicKeyPem, `${field}.merchantPublicKeyPem`);
    registered.set(config.mchid, { config, publicKey, apiV3Key: apiV3KeyBytes(config.apiV3Key, `${field}.apiV3Key`) });
  });
  return registered;
}

/** The accounts of the development world (`dev/keys.ts`): its direct merchant and its service provider. */
export function sandboxAccountsFromDevKeys(keys: Pick<DevKeys, 'merchant' | 'partner'>, options: { subMchids?: readonly string[] } = {}): SandboxAccount[] {
  const account = (kind: AccountKind, dev: DevKeys['merchant']): SandboxAccount => ({
    mchid: dev.mchid,
    kind,
    merchantSerialNo: dev.merchant.serial,
    merchantPublicKeyPem: dev.merchant.certificatePem,
    apiV3Key: dev.apiV3Key,
  });
  const partner = account('partner', keys.partner);
  return [account('merchant', keys.merchant), options.subMchids ? { ...partner, subMchids: options.subMchids } : partner];
}

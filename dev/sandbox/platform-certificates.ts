import type { KeyObject } from 'node:crypto';
import { loadPrivateKey, readCertificate, type Clock } from '../../lib/wechatpay';
import { generateKeyPair, type DevKeyPair } from '../keys';

/** A platform certificate WeChat Pay publishes, with the private key it signs with. */
export interface PublishedCertificate {
  serial: string;
  certificatePem: string;
  privateKey: KeyObject;
  notBefore: number;
  notAfter: number;
}

const YEAR_MS = 365 * 86_400_000;

function published(pair: DevKeyPair): PublishedCertificate {
  const { notBefore, notAfter } = readCertificate(pair.certificatePem, pair.serial, 'wechatpay.key.certificatePem');
  return { serial: pair.serial, certificatePem: pair.certificatePem, privateKey: loadPrivateKey(pair.privateKeyPem, 'wechatpay.key.privateKeyPem'), notBefore, notAfter };
}

/**
 * WeChat Pay's platform certificates. A rotation adds a new one; both are
 * published from then on, the new one signs in certificate mode, and the old
 * one is dropped once it expires.
 */
export class PlatformCertificates {
  readonly #clock: Clock;
  readonly #certificates: PublishedCertificate[];

  constructor(initial: DevKeyPair, clock: Clock) {
    this.#clock = clock;
    this.#certificates = [published(initial)];
  }

  /** Those valid now, oldest first: what `GET /v3/certificates` lists. */
  list(): PublishedCertificate[] {
    const now = this.#clock();
    return this.#certificates.filter((certificate) => certificate.notBefore <= now && now <= certificate.notAfter);
  }

  /** The newest: what WeChat Pay signs with in certificate mode. */
  current(): PublishedCertificate {
    return this.#certificates.at(-1)!;
  }

  /** A published certificate by serial, if still valid. */
  find(serial: string): PublishedCertificate | undefined {
    return this.list().find((certificate) => certificate.serial === serial.toUpperCase());
  }

  /** Generates and publishes a new certificate, valid for five years from now by the sandbox clock. */
  async rotate(): Promise<PublishedCertificate> {
    const now = this.#clock();
    const pair = await generateKeyPair({ commonName: 'Tenpay.com Root CA sandbox', notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 5 * YEAR_MS) });
    const certificate = published(pair);
    this.#certificates.push(certificate);
    return certificate;
  }
}

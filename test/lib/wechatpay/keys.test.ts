import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificateExpiries, ConfigurationError, loadCertificate, loadPrivateKey, loadPublicKey, loadWechatpayKeys, loadWechatpayPublicKeys, normalizeSerial, readCertificate } from '../../../lib/wechatpay';
import { wechatpayKey } from '../../helpers/wechatpay';
import { readVector } from '../../helpers/vectors';
import { thrown } from '../../helpers/errors';

const certificatePem = readVector('wechatpay-java/wechat_pay_certificate.pem');
const CERT_SERIAL = '440024045C4A427599D09BB4E3DE0279F2E813FD';
const publicKeyPem = wechatpayKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();

const configurationError = (attempt: () => unknown) => thrown(ConfigurationError, attempt);

describe('loadPrivateKey', () => {
  it('reads PKCS#8 and PKCS#1 PEM into the same key', () => {
    const pkcs8 = wechatpayKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const pkcs1 = wechatpayKey.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pkcs1).toMatch(/^-----BEGIN RSA /);
    expect(loadPrivateKey(pkcs1).equals(loadPrivateKey(pkcs8))).toBe(true);
  });

  it('refuses garbage, naming the field and echoing nothing of it', () => {
    const label = 'PRIVATE KEY';
    const pem = `-----BEGIN ${label}-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END ${label}-----\n`;
    const error = configurationError(() => loadPrivateKey(pem));
    expect(error.field).toBe('merchantPrivateKey');
    expect(error.message).not.toContain('MIIEvQ');
    expect(error.cause).toBeDefined();
  });

  it('refuses an encrypted private key', () => {
    const encrypted = wechatpayKey.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }).toString();
    expect(configurationError(() => loadPrivateKey(encrypted, 'partner.merchantPrivateKey')).field).toBe('partner.merchantPrivateKey');
  });

  it('refuses a key that is not RSA-2048 or larger', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(configurationError(() => loadPrivateKey(ec)).message).toContain('RSA key of at least 2048 bits');
    expect(configurationError(() => loadPrivateKey(small)).message).toContain('RSA key of at least 2048 bits');
  });
});

describe('loadPublicKey and loadCertificate', () => {
  it('reads an SPKI public key', () => {
    expect(loadPublicKey(publicKeyPem, 'key').equals(wechatpayKey.publicKey)).toBe(true);
  });

  it('refuses a public key that is not PEM', () => {
    expect(configurationError(() => loadPublicKey('PUBLIC KEY', 'wechatpayPublicKeys.PUB_KEY_ID_1')).field).toBe('wechatpayPublicKeys.PUB_KEY_ID_1');
  });

  it('reads a certificate whose serial matches, in any case and with leading zeros', () => {
    expect(loadCertificate(certificatePem, CERT_SERIAL.toLowerCase(), 'c').type).toBe('public');
    expect(loadCertificate(certificatePem, `00${CERT_SERIAL}`, 'c').type).toBe('public');
  });

  it('refuses a certificate stored under another serial, saying which serial it holds', () => {
    expect(configurationError(() => loadCertificate(certificatePem, '5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC', 'c')).message).toContain(CERT_SERIAL);
  });

  it('refuses a certificate that is not PEM', () => {
    expect(configurationError(() => loadCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', CERT_SERIAL, 'c')).message).toContain(
      'is not an X.509 certificate',
    );
  });
});

describe('loadWechatpayPublicKeys', () => {
  it('loads public keys and certificates side by side, under upper-case ids', () => {
    const keys = loadWechatpayPublicKeys({ PUB_KEY_ID_0114232134912410000000000000000000: publicKeyPem, [CERT_SERIAL.toLowerCase()]: certificatePem });
    expect([...keys.keys()]).toEqual(['PUB_KEY_ID_0114232134912410000000000000000000', CERT_SERIAL]);
  });

  it('refuses an id that is neither PUB_KEY_ID_… nor a hex serial', () => {
    expect(configurationError(() => loadWechatpayPublicKeys({ 'my key': publicKeyPem })).field).toBe('wechatpayPublicKeys.my key');
  });

  it('refuses a certificate under a PUB_KEY_ID_ id and a public key under a serial', () => {
    expect(() => loadWechatpayPublicKeys({ PUB_KEY_ID_01: certificatePem })).not.toThrow();
    expect(configurationError(() => loadWechatpayPublicKeys({ [CERT_SERIAL]: publicKeyPem })).field).toBe(`wechatpayPublicKeys.${CERT_SERIAL}`);
  });

  it('refuses a value that is not a string', () => {
    expect(configurationError(() => loadWechatpayPublicKeys({ PUB_KEY_ID_01: 42 as unknown as string })).message).toContain('must be a PEM string');
  });

  it('refuses an empty set: nothing could be verified', () => {
    expect(configurationError(() => loadWechatpayPublicKeys({}, 'keys')).field).toBe('keys');
  });
});

describe('loadWechatpayKeys', () => {
  it("keeps each certificate's end of validity, none for public keys, and may be empty", () => {
    const keys = loadWechatpayKeys({ PUB_KEY_ID_0114232134912410000000000000000000: publicKeyPem, [CERT_SERIAL]: certificatePem });
    const { notAfter, notBefore } = readCertificate(certificatePem, CERT_SERIAL, 'c');
    expect(notBefore).toBeLessThan(notAfter);
    expect(keys.get(CERT_SERIAL)!.notAfter).toBe(notAfter);
    expect(keys.get('PUB_KEY_ID_0114232134912410000000000000000000')!.notAfter).toBeUndefined();
    expect(certificateExpiries(keys)).toEqual(new Map([[CERT_SERIAL, notAfter]]));
    expect(loadWechatpayKeys({}).size).toBe(0);
  });
});

describe('key checks, exactly', () => {
  it('refuses an RSA-PSS key: only rsaEncryption keys sign as WeChat Pay verifies', () => {
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(configurationError(() => loadPrivateKey(pss)).message).toBe('merchantPrivateKey: must be an RSA key of at least 2048 bits, as WeChat Pay issues');
  });

  it('says what a public key and a certificate must be, keeping the parser error as the cause', () => {
    const publicKey = configurationError(() => loadPublicKey('junk', 'wechatpayPublicKeys.PUB_KEY_ID_1'));
    expect(publicKey.message).toBe('wechatpayPublicKeys.PUB_KEY_ID_1: is not an SPKI public key PEM ("BEGIN PUBLIC KEY")');
    expect(publicKey.cause).toBeInstanceOf(Error);
    const certificate = configurationError(() => readCertificate('junk', CERT_SERIAL, 'data[0]'));
    expect(certificate.message).toBe('data[0]: is not an X.509 certificate PEM ("BEGIN CERTIFICATE")');
    expect(certificate.cause).toBeInstanceOf(Error);
    expect(configurationError(() => loadPrivateKey('junk')).cause).toBeInstanceOf(Error);
  });

  it.each(['XYZ', `${CERT_SERIAL}X`, `X${CERT_SERIAL}`, 'A'.repeat(41), '12 34'])('refuses the id %s: neither PUB_KEY_ID_… nor a hex serial of up to 40 digits', (id) => {
    expect(configurationError(() => loadWechatpayKeys({ [id]: certificatePem })).message).toBe(
      `wechatpayPublicKeys.${id}: id must be a WeChat Pay public key id (PUB_KEY_ID_…) or a platform certificate serial (hex)`,
    );
  });

  it('says how to fill an empty key set', () => {
    expect(configurationError(() => loadWechatpayPublicKeys({})).message).toBe('wechatpayPublicKeys: holds no key: add the WeChat Pay public key or a platform certificate');
  });

  it('compares serials upper-case, without leading zeros', () => {
    expect(normalizeSerial('00ab0c')).toBe('AB0C');
    expect(normalizeSerial('000')).toBe('0');
  });
});

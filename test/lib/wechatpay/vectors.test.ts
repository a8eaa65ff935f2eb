/** Every known-answer vector in test/fixtures/vectors/ (see its README for the SDK file each came from). */
import { createPublicKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lazy } from '../../helpers/wechatpay';
import {
  apiV3KeyBytes,
  decryptAeadAes256Gcm,
  decryptNotificationResource,
  DecryptionError,
  encryptAeadAes256Gcm,
  loadCertificate,
  loadPrivateKey,
  loadPublicKey,
  loadWechatpayPublicKeys,
  parseNotificationEnvelope,
  requestMessage,
  signSha256WithRsa,
  SignatureProbeError,
  Signer,
  Verifier,
  verifySha256WithRsa,
} from '../../../lib/wechatpay';
import { readJsonVector, readVector } from '../../helpers/vectors';

const goPrivateKey = lazy(() => loadPrivateKey(readVector('wechatpay-go/test_private_key_pkcs8.pem')));
const goCertificatePem = readVector('wechatpay-go/test_wechatpay_cert_D7CE59D1F522D701.pem');
const goPublicKeyPem = readVector('wechatpay-go/test_public_key_F5765756002FDD77.pem');
const spki = (key: ReturnType<typeof createPublicKey>) => key.export({ type: 'spki', format: 'der' });

describe('wechatpay-go vectors', () => {
  it('SHA256withRSA over "source" gives the published signature', () => {
    expect(signSha256WithRsa(Buffer.from('source'), goPrivateKey())).toBe(readVector('wechatpay-go/rsa_sign_source.txt').trim());
  });

  it('the platform certificate and the public key file hold the public half of the test key', () => {
    const fromCertificate = loadCertificate(goCertificatePem, 'D7CE59D1F522D701', 'cert');
    const fromPublicKey = loadPublicKey(goPublicKeyPem, 'key');
    const derived = createPublicKey(goPrivateKey());
    expect(spki(fromCertificate)).toEqual(spki(derived));
    expect(spki(fromPublicKey)).toEqual(spki(derived));
  });
});

describe('wechatpay-java vectors', () => {
  it('the merchant key matches the merchant certificate 5F1C72E2…', () => {
    const privateKey = loadPrivateKey(readVector('wechatpay-java/merchant_private_key.pem'));
    const publicKey = loadCertificate(readVector('wechatpay-java/merchant_certificate.pem'), '5F1C72E2A8931B72A2E13AF8DEE92471EB397115', 'cert');
    const message = Buffer.from('merchant');
    expect(verifySha256WithRsa(message, Buffer.from(signSha256WithRsa(message, privateKey), 'base64'), publicKey)).toBe(true);
  });

  it('the WeChat Pay key verifies under both its certificate serial and its public key id at once', () => {
    const privateKey = loadPrivateKey(readVector('wechatpay-java/wechat_pay_private_key.pem'));
    const keys = loadWechatpayPublicKeys({
      '440024045C4A427599D09BB4E3DE0279F2E813FD': readVector('wechatpay-java/wechat_pay_certificate.pem'),
      PUB_KEY_ID_0114232134912410000000000000000000: readVector('wechatpay-java/wechat_pay_public_key.pem'),
    });
    const message = Buffer.from('wechatpay');
    const signature = Buffer.from(signSha256WithRsa(message, privateKey), 'base64');
    for (const key of keys.values()) expect(verifySha256WithRsa(message, signature, key)).toBe(true);
    expect([...keys.keys()]).toEqual(['440024045C4A427599D09BB4E3DE0279F2E813FD', 'PUB_KEY_ID_0114232134912410000000000000000000']);
  });

  it('the downloaded certificate decrypts to a certificate whose serial is serial_no', () => {
    const response = readJsonVector<{ data: [{ serial_no: string; encrypt_certificate: { ciphertext: string; nonce: string; associated_data: string } }] }>(
      'wechatpay-java/download_certificate_response.json',
    );
    const [entry] = response.data;
    const pem = decryptAeadAes256Gcm({
      key: apiV3KeyBytes('a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb'),
      nonce: entry.encrypt_certificate.nonce,
      associatedData: entry.encrypt_certificate.associated_data,
      ciphertext: entry.encrypt_certificate.ciphertext,
    }).toString('utf8');
    expect(new X509Certificate(pem).serialNumber).toBe('5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC');
    expect(() => loadCertificate(pem, entry.serial_no, 'cert')).not.toThrow();
  });

  describe('AEAD_AES_256_GCM (AeadAesCipherTest)', () => {
    const parts = { key: apiV3KeyBytes('a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb'), nonce: 'uluk4a9R25RW', associatedData: 'associatedData' };
    const ciphertext = 'ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=';

    it('decrypts and encrypts the published pair', () => {
      expect(decryptAeadAes256Gcm({ ...parts, ciphertext }).toString('utf8')).toBe('message');
      expect(encryptAeadAes256Gcm({ ...parts, plaintext: 'message' })).toBe(ciphertext);
    });

    it.each([
      ['associated data bad-associatedData', { ...parts, associatedData: 'bad-associatedData', ciphertext }],
      ['nonce bad-4a9R25RW', { ...parts, nonce: 'bad-4a9R25RW', ciphertext }],
      ['a ciphertext of 128 zero bytes', { ...parts, ciphertext: Buffer.alloc(128).toString('base64') }],
    ])('fails with %s', (_name, input) => {
      expect(() => decryptAeadAes256Gcm(input)).toThrow(DecryptionError);
    });
  });

  it('a GET signs path and query only, with an empty body line (WechatPay2CredentialTest)', () => {
    const message = requestMessage({
      method: 'GET',
      url: 'https://api.mch.weixin.qq.com/v3/pay/transactions/id/1217752501201407033233368018?mchid=1230000109',
      timestamp: 1652750623,
      nonce: 'eBYqCOxa0QudMnPvVilkTzOg3gHh5Z3u',
      body: '',
    });
    expect(message.toString('utf8')).toBe(
      'GET\n/v3/pay/transactions/id/1217752501201407033233368018?mchid=1230000109\n1652750623\neBYqCOxa0QudMnPvVilkTzOg3gHh5Z3u\n\n',
    );
  });
});

interface RequestVector {
  method: string;
  canonical_url: string;
  timestamp: string;
  nonce_str: string;
  mchid?: string;
  serial_no?: string;
  body: string;
  message: string;
  signature: string;
  authorization?: string;
}

describe('derived request signatures', () => {
  const vectors = readJsonVector<Record<'post_create_sign_plan_serviceorder' | 'get_with_empty_body', RequestVector>>('derived/request_signatures.json');
  const cases = Object.entries(vectors).filter(([name]) => name !== 'DERIVED');

  it('covers both published requests', () => expect(cases.map(([name]) => name)).toEqual(['post_create_sign_plan_serviceorder', 'get_with_empty_body']));

  it.each(cases)('%s: exact message and signature', (_name, vector) => {
    const message = requestMessage({ method: vector.method, url: vector.canonical_url, timestamp: vector.timestamp, nonce: vector.nonce_str, body: vector.body });
    expect(message.toString('utf8')).toBe(vector.message);
    expect(signSha256WithRsa(message, goPrivateKey())).toBe(vector.signature);
  });

  it('the Signer gives the exact Authorization header for the seed body', () => {
    const vector = vectors.post_create_sign_plan_serviceorder;
    const signer = new Signer({
      mchid: vector.mchid!,
      serialNo: vector.serial_no!,
      privateKey: goPrivateKey(),
      clock: () => Number(vector.timestamp) * 1000,
      nonce: () => vector.nonce_str,
    });
    expect(signer.authorization({ method: 'POST', url: `https://api.mch.weixin.qq.com${vector.canonical_url}`, body: vector.body })).toBe(vector.authorization);
  });
});

interface NotificationVector {
  headers: Record<string, string>;
  body: string;
  apiv3Key: string;
  expected_plaintext: string;
}

describe('derived PAYSCORE.USER_PAID notification', () => {
  const vectors = readJsonVector<{ valid: NotificationVector; signtest_probe_must_fail: NotificationVector }>('derived/notify_payscore_user_paid_aes256.json');
  const verifier = new Verifier({
    publicKeys: loadWechatpayPublicKeys({ D7CE59D1F522D701: goCertificatePem, PUB_KEY_ID_F5765756002FDD77: goPublicKeyPem }),
    clock: () => 1554209980 * 1000,
  });

  it('verifies at its timestamp and decrypts to the expected plaintext', () => {
    const { valid } = vectors;
    const body = Buffer.from(valid.body, 'utf8');
    expect(verifier.verify(valid.headers, body)).toEqual({ serial: 'D7CE59D1F522D701', timestamp: 1554209980, nonce: valid.headers['Wechatpay-Nonce'] });
    const envelope = parseNotificationEnvelope(body);
    expect(envelope).toMatchObject({ id: 'EV-2018022511223320873', event_type: 'PAYSCORE.USER_PAID', resource_type: 'encrypt-resource' });
    expect(decryptNotificationResource(envelope.resource, apiV3KeyBytes(valid.apiv3Key))).toEqual({ text: valid.expected_plaintext, fields: JSON.parse(valid.expected_plaintext) });
  });

  it('rejects the WECHATPAY/SIGNTEST/ probe copy', () => {
    const probe = vectors.signtest_probe_must_fail;
    expect(() => verifier.verify(probe.headers, Buffer.from(probe.body, 'utf8'))).toThrow(SignatureProbeError);
  });
});

import { describe, expect, it } from 'vitest';
import { lazy } from '../../helpers/wechatpay';
import {
  createNotificationBody,
  decryptNotificationResource,
  DecryptionError,
  encryptAeadAes256Gcm,
  MalformedNotificationError,
  parseNotificationEnvelope,
  UnsupportedAlgorithmError,
} from '../../../lib/wechatpay';

const apiV3Key = Buffer.from('a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb');
const plaintext = { mchid: '1900000109', out_order_no: 'O1', state: 'DONE', future_field: { kept: true } };
const content = {
  id: 'EV-1',
  createTime: '2026-11-22T10:00:00+08:00',
  eventType: 'PAYSCORE.USER_PAID',
  summary: '支付成功',
  plaintext,
  apiV3Key,
  nonce: 'Kj7QIyUiYx1q',
  associatedData: 'payscore',
  originalType: 'payscore',
};
const body = lazy(() => JSON.parse(createNotificationBody(content)) as Record<string, unknown> & { resource: Record<string, unknown> });
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('notifications', () => {
  it('round-trip: build, parse the envelope, decrypt, unknown fields kept', () => {
    const envelope = parseNotificationEnvelope(bytes(body()));
    expect(envelope).toMatchObject({ id: 'EV-1', event_type: 'PAYSCORE.USER_PAID', resource_type: 'encrypt-resource', summary: '支付成功' });
    expect(envelope.resource).toMatchObject({ algorithm: 'AEAD_AES_256_GCM', associated_data: 'payscore', original_type: 'payscore', nonce: 'Kj7QIyUiYx1q' });
    expect(decryptNotificationResource(envelope.resource, apiV3Key)).toEqual({ text: JSON.stringify(plaintext), fields: plaintext });
  });

  it('takes a string plaintext as it is', () => {
    const envelope = parseNotificationEnvelope(Buffer.from(createNotificationBody({ ...content, plaintext: '{"a":1}' })));
    expect(decryptNotificationResource(envelope.resource, apiV3Key)).toEqual({ text: '{"a":1}', fields: { a: 1 } });
  });

  it('takes an absent associated_data, summary and original_type as optional', () => {
    const { associated_data: _a, original_type: _o, ...resource } = body().resource;
    const { summary: _s, ...rest } = body();
    const envelope = parseNotificationEnvelope(bytes({ ...rest, resource }));
    expect(envelope.resource.associated_data).toBe('');
    expect(envelope).not.toHaveProperty('summary');
    expect(envelope.resource).not.toHaveProperty('original_type');
  });

  it.each([
    ['body', () => Buffer.from('{not json'), 'is not JSON'],
    ['body', () => bytes([1, 2]), 'is not a JSON object'],
    ['resource', () => bytes({ ...body(), resource: 'x' }), 'must be an object'],
    ['id', () => bytes({ ...body(), id: '' }), 'must be a non-empty string'],
    ['event_type', () => bytes({ ...body(), event_type: 7 }), 'must be a non-empty string'],
    ['summary', () => bytes({ ...body(), summary: null }), 'must be a string'],
    ['resource.ciphertext', () => bytes({ ...body(), resource: { ...body().resource, ciphertext: undefined } }), 'must be a non-empty string'],
    ['resource.associated_data', () => bytes({ ...body(), resource: { ...body().resource, associated_data: 1 } }), 'must be a string'],
    ['resource.original_type', () => bytes({ ...body(), resource: { ...body().resource, original_type: 1 } }), 'must be a string'],
    ['create_time', () => bytes({ ...body(), create_time: undefined }), 'must be a non-empty string'],
    ['resource_type', () => bytes({ ...body(), resource_type: '' }), 'must be a non-empty string'],
    ['resource.algorithm', () => bytes({ ...body(), resource: { ...body().resource, algorithm: undefined } }), 'must be a non-empty string'],
    ['resource.nonce', () => bytes({ ...body(), resource: { ...body().resource, nonce: 12 } }), 'must be a non-empty string'],
  ])('names %s when the envelope is wrong', (field, input, problem) => {
    const attempt = () => parseNotificationEnvelope(input());
    expect(attempt).toThrow(MalformedNotificationError);
    expect(attempt).toThrow(`notification ${field} ${problem}`);
  });

  it('refuses another algorithm before decrypting', () => {
    const envelope = parseNotificationEnvelope(bytes({ ...body(), resource: { ...body().resource, algorithm: 'AEAD_AES_128_GCM' } }));
    expect(() => decryptNotificationResource(envelope.resource, apiV3Key)).toThrow(UnsupportedAlgorithmError);
  });

  it('refuses a resource under other associated data', () => {
    const envelope = parseNotificationEnvelope(bytes({ ...body(), resource: { ...body().resource, associated_data: 'certificate' } }));
    expect(() => decryptNotificationResource(envelope.resource, apiV3Key)).toThrow(DecryptionError);
  });

  it.each([
    ['not JSON', 'DONE', 'decrypts to text that is not JSON'],
    ['JSON but not an object', '[1]', 'decrypts to JSON that is not an object'],
  ])('refuses a plaintext that is %s', (_name, text, message) => {
    const ciphertext = encryptAeadAes256Gcm({ key: apiV3Key, nonce: content.nonce, associatedData: 'payscore', plaintext: text });
    const envelope = parseNotificationEnvelope(bytes({ ...body(), resource: { ...body().resource, ciphertext } }));
    expect(() => decryptNotificationResource(envelope.resource, apiV3Key)).toThrow(new MalformedNotificationError('resource.ciphertext', message));
  });
});

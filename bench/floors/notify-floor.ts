/**
 * The physical floor of a notification: one RSA verify with a cached KeyObject,
 * one AES-256-GCM decrypt, JSON.parse of the envelope and of the plaintext.
 */
import { createDecipheriv, verify, type KeyObject } from 'node:crypto';
import { responseMessage } from '../../lib/wechatpay';
import type { BenchEvent } from '../events';

const TAG_BYTES = 16;

export function notifyFloor(publicKey: KeyObject, apiV3Key: Buffer) {
  return (event: BenchEvent): unknown => {
    const headers = event.headers as Record<string, string>;
    const body = Buffer.from(event.body!, 'utf8');
    const message = responseMessage({ timestamp: headers['wechatpay-timestamp']!, nonce: headers['wechatpay-nonce']!, body });
    if (!verify('sha256', message, publicKey, Buffer.from(headers['wechatpay-signature']!, 'base64'))) throw new Error('floor: signature does not verify');
    const { resource } = JSON.parse(body.toString('utf8')) as { resource: { ciphertext: string; nonce: string; associated_data: string } };
    const sealed = Buffer.from(resource.ciphertext, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', apiV3Key, Buffer.from(resource.nonce, 'utf8'));
    decipher.setAAD(Buffer.from(resource.associated_data, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const plaintext = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
    return JSON.parse(plaintext.toString('utf8'));
  };
}

import { decryptAeadAes256Gcm, encryptAeadAes256Gcm } from './aead';
import { MalformedNotificationError, UnsupportedAlgorithmError } from './errors';
import { isJsonObject, parseJsonObject } from './json';

export const NOTIFICATION_ALGORITHM = 'AEAD_AES_256_GCM';

export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  nonce: string;
  associated_data: string;
  original_type?: string;
}

/** A WeChat Pay notification body, before decryption. */
export interface NotificationEnvelope {
  id: string;
  create_time: string;
  event_type: string;
  resource_type: string;
  summary?: string;
  resource: EncryptedResource;
}

function text(object: Record<string, unknown>, name: string, path: string, optional = false): string | undefined {
  const value = object[name];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || (!optional && value.length === 0)) {
    throw new MalformedNotificationError(path, optional ? 'must be a string' : 'must be a non-empty string');
  }
  return value;
}

/** Reads the envelope of a verified notification body; the error names the first bad field. */
export function parseNotificationEnvelope(body: Uint8Array): NotificationEnvelope {
  const parsed = parseJsonObject(Buffer.from(body).toString('utf8'), {
    notJson: () => new MalformedNotificationError('body', 'is not JSON'),
    notObject: () => new MalformedNotificationError('body', 'is not a JSON object'),
  });
  const resource = parsed.resource;
  if (!isJsonObject(resource)) throw new MalformedNotificationError('resource', 'must be an object');
  const summary = text(parsed, 'summary', 'summary', true);
  const originalType = text(resource, 'original_type', 'resource.original_type', true);
  return {
    id: text(parsed, 'id', 'id')!,
    create_time: text(parsed, 'create_time', 'create_time')!,
    event_type: text(parsed, 'event_type', 'event_type')!,
    resource_type: text(parsed, 'resource_type', 'resource_type')!,
    ...(summary === undefined ? {} : { summary }),
    resource: {
      algorithm: text(resource, 'algorithm', 'resource.algorithm')!,
      ciphertext: text(resource, 'ciphertext', 'resource.ciphertext')!,
      nonce: text(resource, 'nonce', 'resource.nonce')!,
      associated_data: text(resource, 'associated_data', 'resource.associated_data', true) ?? '',
      ...(originalType === undefined ? {} : { original_type: originalType }),
    },
  };
}

export interface DecryptedResource {
  /** The plaintext exactly as decrypted: what reconciliation should keep. */
  text: string;
  /** The same, parsed; unknown fields included. */
  fields: Record<string, unknown>;
}

/** Decrypts the resource with the APIv3 key and parses it. */
export function decryptNotificationResource(resource: EncryptedResource, apiV3Key: Buffer): DecryptedResource {
  if (resource.algorithm !== NOTIFICATION_ALGORITHM) throw new UnsupportedAlgorithmError(resource.algorithm);
  const plaintext = decryptAeadAes256Gcm({
    key: apiV3Key,
    nonce: resource.nonce,
    associatedData: resource.associated_data,
    ciphertext: resource.ciphertext,
  });
  const text = plaintext.toString('utf8');
  const fields = parseJsonObject(text, {
    notJson: () => new MalformedNotificationError('resource.ciphertext', 'decrypts to text that is not JSON'),
    notObject: () => new MalformedNotificationError('resource.ciphertext', 'decrypts to JSON that is not an object'),
  });
  return { text, fields };
}

export interface NotificationContent {
  id: string;
  createTime: string;
  eventType: string;
  summary: string;
  /** The resource as WeChat Pay would encrypt it (an object is serialised as JSON). */
  plaintext: string | Record<string, unknown>;
  apiV3Key: Buffer;
  /** 12 characters. */
  nonce: string;
  associatedData: string;
  originalType: string;
}

/** Builds a notification body as WeChat Pay sends it: for the sandbox and test helpers. */
export function createNotificationBody(content: NotificationContent): string {
  const plaintext = typeof content.plaintext === 'string' ? content.plaintext : JSON.stringify(content.plaintext);
  return JSON.stringify({
    id: content.id,
    create_time: content.createTime,
    resource_type: 'encrypt-resource',
    event_type: content.eventType,
    summary: content.summary,
    resource: {
      original_type: content.originalType,
      algorithm: NOTIFICATION_ALGORITHM,
      ciphertext: encryptAeadAes256Gcm({ key: content.apiV3Key, nonce: content.nonce, associatedData: content.associatedData, plaintext }),
      associated_data: content.associatedData,
      nonce: content.nonce,
    },
  });
}

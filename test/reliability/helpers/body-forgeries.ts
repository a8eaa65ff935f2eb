/**
 * Forgeries of the body: signed bytes changed without re-signing (the
 * ciphertext, its nonce and AAD among them), truncated, extended, re-serialised,
 * oversized, passed off in another encoding; and bodies the forger signed
 * itself, under WeChat Pay's serial or its own.
 */
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { MAX_NOTIFICATION_BYTES } from '../../../lib/handlers/deduction-notify';
import { createNotificationBody } from '../../../lib/wechatpay';
import { changed, forgery, randomSerial, signedHeaders, unknownSerial, withHeaders, xorByte, type ForgeryContext, type Forgery, type Genuine } from './forgery-context';
import type { EncodingConfusion } from './notify-events';

type Envelope = Record<string, unknown> & { resource: Record<string, unknown> };
type EnvelopeChange = (envelope: Envelope) => void;

/** The genuine body with `change` applied to its envelope; never the same bytes. */
function changedBody(genuine: Genuine, change: EnvelopeChange): string {
  const envelope = JSON.parse(genuine.body) as Envelope;
  change(envelope);
  const body = JSON.stringify(envelope);
  return body === genuine.body ? `${body} ` : body;
}

const flipCiphertextByte = (index: number, mask: number): EnvelopeChange => (envelope) => {
  envelope.resource.ciphertext = xorByte(Buffer.from(envelope.resource.ciphertext as string, 'base64'), index, mask).toString('base64');
};

const ENVELOPE_FIELDS = ['id', 'create_time', 'event_type', 'resource_type', 'summary', 'resource', 'resource.algorithm', 'resource.original_type'] as const;

const setField = (path: string, value: unknown): EnvelopeChange => (envelope) => {
  const [first, second] = path.split('.') as [string, string?];
  const target = second ? envelope.resource : envelope;
  const key = second ?? first;
  if (value === undefined) delete target[key];
  else target[key] = value;
};

/** Changes of what WeChat Pay encrypted: each leaves the signature over the old bytes. */
const envelopeChange: fc.Arbitrary<{ what: string; change: EnvelopeChange }> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([index, mask]) => ({ what: 'ciphertext byte', change: flipCiphertextByte(index, mask) })),
  fc.string({ minLength: 12, maxLength: 12 }).map((nonce) => ({ what: 'resource.nonce', change: setField('resource.nonce', nonce) })),
  fc.string({ maxLength: 20 }).map((aad) => ({ what: 'resource.associated_data', change: setField('resource.associated_data', aad) })),
  fc.tuple(fc.constantFrom(...ENVELOPE_FIELDS), fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined))).map(([path, value]) => ({
    what: 'envelope field',
    change: setField(path, value),
  })),
);

const notResigned = envelopeChange.map((change) =>
  forgery(`${change.what} changed, not re-signed`)(change, ({ change: apply }, genuine) => withHeaders(genuine, {}, changedBody(genuine, apply))),
);

const byteChanged = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map((parameters) =>
  forgery('body byte changed')(parameters, ([index, mask], genuine) => withHeaders(genuine, {}, xorByte(Buffer.from(genuine.body), index, mask))),
);

const truncated = fc.nat().map((length) => forgery('body truncated')(length, (at, genuine) => withHeaders(genuine, {}, Buffer.from(genuine.body).subarray(0, at % Buffer.byteLength(genuine.body)))));

const extended = fc.oneof(fc.constantFrom('\n', '\r\n', ' ', '\u0000', '}', '{}'), fc.string({ minLength: 1, maxLength: 50 })).map((suffix) =>
  forgery('body extended')(suffix, (tail, genuine) => withHeaders(genuine, {}, genuine.body + tail)),
);

/** The same JSON value in other bytes: still not what was signed. */
const reserialised = fc.constantFrom<number | string>(1, 2, 4, '\t', 'sorted keys', 'reversed keys').map((layout) =>
  forgery('body re-serialised (same JSON, other bytes)')(layout, (how, genuine) => {
    const envelope = JSON.parse(genuine.body) as Record<string, unknown>;
    const reordered = (keys: string[]) => JSON.stringify(Object.fromEntries(keys.map((key) => [key, envelope[key]])));
    const keys = Object.keys(envelope);
    const body = how === 'sorted keys' ? reordered([...keys].sort()) : how === 'reversed keys' ? reordered([...keys].reverse()) : JSON.stringify(envelope, null, how);
    return withHeaders(genuine, {}, changed(genuine.body, body));
  }),
);

const oversized = fc.integer({ min: 1, max: 100_000 }).map((excess) =>
  forgery('body over the size limit')(excess, (extra, genuine) => withHeaders(genuine, {}, changedBody(genuine, setField('summary', 'x'.repeat(MAX_NOTIFICATION_BYTES + extra))))),
);

const encodingConfused = fc.constantFrom<EncodingConfusion>('base64-sent-as-text', 'text-flagged-base64', 'double-base64').map((encoding) =>
  forgery('body in another encoding than declared')(encoding, (how, genuine) => ({ ...withHeaders(genuine, {}), encoding: how })),
);

const crossAccountReplay = fc.nat().map((index) => forgery("another account's genuine notification")(index, (at, _genuine, context) => withHeaders(context.otherAccount[at % context.otherAccount.length]!, {})));

/** A notification the forger encrypted itself, under a guessed APIv3 key. */
const attackerEncrypted: EnvelopeChange = (envelope) => {
  const resource = JSON.parse(createNotificationBody({ id: 'x', createTime: 'x', eventType: 'x', summary: 'x', plaintext: { state: 'DONE' }, apiV3Key: randomBytes(32), nonce: 'AbCdEfGhIjKl', associatedData: 'payscore', originalType: 'payscore' })).resource;
  envelope.resource = resource;
};

const resignedChange = fc.oneof(fc.constant({ what: 'genuine body', change: (() => undefined) as EnvelopeChange }), fc.constant({ what: 'own ciphertext', change: attackerEncrypted }), envelopeChange);

const serialOf = (context: ForgeryContext, index: number, lower: boolean) => {
  const serial = context.knownSerials[index % context.knownSerials.length]!;
  return lower ? serial.toLowerCase() : serial;
};

/** The body after `change`: the genuine bytes when it changes nothing (re-signing alone is the forgery then). */
function appliedBody(genuine: Genuine, change: EnvelopeChange): string {
  const envelope = JSON.parse(genuine.body) as Envelope;
  change(envelope);
  return JSON.stringify(envelope);
}

/** Re-signed with the forger's key under a serial the account knows: the signature cannot verify. */
const resignedKnownSerial = fc.tuple(resignedChange, fc.nat(), fc.boolean()).map((parameters) =>
  forgery('re-signed by the forger under a known serial')(parameters, ([{ change }, index, lower], genuine, context) => {
    const body = appliedBody(genuine, change);
    return { headers: signedHeaders(body, { privateKey: context.attackerKey, serial: serialOf(context, index, lower), timestampSeconds: context.nowSeconds }), body };
  }),
);

const resignedOwnSerial = resignedChange.map((change) =>
  forgery('re-signed by the forger under its own serial')(change, ({ change: apply }, genuine, context) => {
    const body = appliedBody(genuine, apply);
    return { headers: signedHeaders(body, { privateKey: context.attackerKey, serial: unknownSerial(context, randomSerial()), timestampSeconds: context.nowSeconds }), body };
  }),
);

export const bodyForgeries: ReadonlyArray<fc.Arbitrary<Forgery>> = [
  notResigned,
  byteChanged,
  truncated,
  extended,
  reserialised,
  oversized,
  encodingConfused,
  crossAccountReplay,
  resignedKnownSerial,
  resignedOwnSerial,
];

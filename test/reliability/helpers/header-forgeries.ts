/**
 * Forgeries of the signature headers: missing, blank, replayed outside the
 * window, changed without re-signing, malformed, probes, duplicated. The body
 * stays the genuine one, so only the headers can make each verdict.
 */
import fc from 'fast-check';
import { SIGNATURE_PROBE_PREFIX, SIGNATURE_SCHEME } from '../../../lib/wechatpay';
import { changed, forgery, SIGNED_HEADERS, signedHeaders, unknownSerial, withHeaders, xorByte, type Forgery } from './forgery-context';

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const signedHeader = fc.constantFrom(...SIGNED_HEADERS);
const encode = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

const missing = fc.subarray([...SIGNED_HEADERS], { minLength: 1 }).map((names) =>
  forgery('headers missing')(names, (removed, genuine) => withHeaders(genuine, Object.fromEntries(removed.map((name) => [name, undefined])))),
);

const blank = fc.tuple(signedHeader, fc.constantFrom('', ' ', '\t', '  ')).map((parameters) =>
  forgery('header blank')(parameters, ([name, value], genuine) => withHeaders(genuine, { [name]: value })),
);

/** A message WeChat Pay really signed, captured and sent again more than 300 s away from it. */
const replayOutsideWindow = fc.tuple(fc.integer({ min: 301, max: 3 * 365 * 86_400 }), fc.boolean()).map((parameters) =>
  forgery('genuine replay outside ±300 s')(parameters, ([skew, past], genuine, context) =>
    withHeaders(genuine, signedHeaders(genuine.body, { privateKey: context.wechatpayKey, serial: genuine.headers['Wechatpay-Serial']!, timestampSeconds: context.nowSeconds + (past ? -skew : skew), nonce: genuine.headers['Wechatpay-Nonce']! })),
  ),
);

const timestampShifted = fc.integer({ min: -300, max: 300 }).filter((skew) => skew !== 0).map((skew) =>
  forgery('timestamp changed within ±300 s, not re-signed')(skew, (shift, genuine) => withHeaders(genuine, { 'Wechatpay-Timestamp': String(Number(genuine.headers['Wechatpay-Timestamp']) + shift) })),
);

const timestampRewrites: Record<string, (timestamp: string) => string> = {
  'leading zero': (timestamp) => `0${timestamp}`,
  plus: (timestamp) => `+${timestamp}`,
  decimal: (timestamp) => `${timestamp}.0`,
  padded: (timestamp) => ` ${timestamp} `,
  milliseconds: (timestamp) => `${timestamp}000`,
  negative: (timestamp) => `-${timestamp}`,
  hexadecimal: (timestamp) => `0x${Number(timestamp).toString(16)}`,
  fullwidth: (timestamp) => timestamp.replace(/\d/g, (digit) => String.fromCharCode(0xff10 + Number(digit))),
};
const timestampMalformed = fc.oneof(fc.constantFrom(...Object.keys(timestampRewrites)), fc.string({ maxLength: 20 }).map((text) => `=${text}`)).map((rewrite) =>
  forgery('timestamp malformed')(rewrite, (how, genuine) => {
    const timestamp = genuine.headers['Wechatpay-Timestamp']!;
    return withHeaders(genuine, { 'Wechatpay-Timestamp': changed(timestamp, how.startsWith('=') ? how.slice(1) : timestampRewrites[how]!(timestamp)) });
  }),
);

const nonceRewrites: Record<string, (nonce: string) => string> = { upper: (nonce) => nonce.toUpperCase(), truncated: (nonce) => nonce.slice(1), extended: (nonce) => `${nonce}0` };
const nonceChanged = fc.oneof(fc.constantFrom(...Object.keys(nonceRewrites)), fc.string({ minLength: 1, maxLength: 40 }).map((text) => `=${text}`)).map((rewrite) =>
  forgery('nonce changed, not re-signed')(rewrite, (how, genuine) => {
    const nonce = genuine.headers['Wechatpay-Nonce']!;
    return withHeaders(genuine, { 'Wechatpay-Nonce': changed(nonce, how.startsWith('=') ? how.slice(1) : nonceRewrites[how]!(nonce)) });
  }),
);

const serialCandidates = fc.oneof(
  fc.string({ maxLength: 64 }),
  fc.string({ unit: fc.constantFrom(...'0123456789ABCDEF'), minLength: 40, maxLength: 40 }),
  fc.tuple(fc.nat(), fc.constantFrom(...'0123456789ABCDEFXYZ_')).map(([index, char]) => ({ index, char })),
);
const serialUnknown = serialCandidates.map((candidate) =>
  forgery('serial unknown')(candidate, (choice, genuine, context) => {
    const serial = genuine.headers['Wechatpay-Serial']!;
    const text = typeof choice === 'string' ? choice : serial.slice(0, choice.index % serial.length) + choice.char + serial.slice((choice.index % serial.length) + 1);
    return withHeaders(genuine, { 'Wechatpay-Serial': unknownSerial(context, text) });
  }),
);

const signatureBytes = (signature: string) => Buffer.from(signature, 'base64');

const signatureBitFlipped = fc.tuple(fc.nat(255), fc.nat(7)).map((parameters) =>
  forgery('signature bit flipped')(parameters, ([index, bit], genuine) =>
    withHeaders(genuine, { 'Wechatpay-Signature': encode(xorByte(signatureBytes(genuine.headers['Wechatpay-Signature']!), index, 1 << bit)) }),
  ),
);

const signatureResized = fc.oneof(fc.nat(255), fc.uint8Array({ minLength: 1, maxLength: 16 })).map((resize) =>
  forgery('signature truncated or extended')(resize, (how, genuine) => {
    const bytes = signatureBytes(genuine.headers['Wechatpay-Signature']!);
    return withHeaders(genuine, { 'Wechatpay-Signature': encode(typeof how === 'number' ? bytes.subarray(0, how) : Buffer.concat([bytes, how])) });
  }),
);

/** Encodings of the right bytes that are not canonical base64, and plain garbage. */
const signatureRewrites: Record<string, (signature: string) => string> = {
  unpadded: (signature) => signature.replace(/=+$/, ''),
  base64url: (signature) => signature.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
  'MIME line breaks': (signature) => signature.replace(/.{76}/g, '$&\r\n'),
  'surrounding spaces': (signature) => ` ${signature} `,
  'non-canonical last character': (signature) => {
    const end = signature.replace(/=+$/, '').length - 1;
    return signature.slice(0, end) + BASE64_ALPHABET[BASE64_ALPHABET.indexOf(signature[end]!) ^ 1] + signature.slice(end + 1);
  },
};
const signatureNotBase64 = fc
  .oneof(fc.constantFrom(...Object.keys(signatureRewrites)), fc.tuple(fc.nat(), fc.constantFrom(...'-_.!*% \n\t#')).map(([index, char]) => ({ index, char })))
  .map((rewrite) =>
    forgery('signature not strict base64')(rewrite, (how, genuine) => {
      const signature = genuine.headers['Wechatpay-Signature']!;
      const text = typeof how === 'string' ? signatureRewrites[how]!(signature) : signature.slice(0, how.index % signature.length) + how.char + signature.slice(how.index % signature.length);
      return withHeaders(genuine, { 'Wechatpay-Signature': changed(signature, text) });
    }),
  );

const probe = fc.option(fc.base64String({ minLength: 4, maxLength: 400 })).map((tail) =>
  forgery('WECHATPAY/SIGNTEST/ probe')(tail, (rest, genuine) => withHeaders(genuine, { 'Wechatpay-Signature': SIGNATURE_PROBE_PREFIX + (rest ?? genuine.headers['Wechatpay-Signature']!) })),
);

/** The signature (or all four headers) of another genuine notification, on this body. */
const otherMessageSignature = fc.tuple(fc.nat(), fc.boolean()).map((parameters) =>
  forgery("another genuine notification's signature")(parameters, ([index, allHeaders], genuine, context) => {
    const others = context.pool.filter((candidate) => candidate.body !== genuine.body);
    const other = others[index % others.length]!;
    return withHeaders(genuine, allHeaders ? Object.fromEntries(SIGNED_HEADERS.map((name) => [name, other.headers[name]])) : { 'Wechatpay-Signature': other.headers['Wechatpay-Signature'] });
  }),
);

const signatureType = fc
  .oneof(fc.constantFrom(SIGNATURE_SCHEME.toLowerCase(), 'WECHATPAY2-SHA256-RSA4096', 'WECHATPAY2-SM2-WITH-SM3', 'HMAC-SHA256', ''), fc.string({ maxLength: 30 }))
  .map((scheme) => forgery('Wechatpay-Signature-Type not RSA2048')(scheme, (value, genuine) => withHeaders(genuine, { 'Wechatpay-Signature-Type': changed(SIGNATURE_SCHEME, value) })));

const conflictingDuplicate = fc.tuple(signedHeader, fc.string({ maxLength: 40 })).map((parameters) =>
  forgery('signed header repeated with another value')(parameters, ([name, value], genuine) => ({ ...withHeaders(genuine, {}), duplicate: { name, value: changed(genuine.headers[name]!, value) } })),
);

export const headerForgeries: ReadonlyArray<fc.Arbitrary<Forgery>> = [
  missing,
  blank,
  replayOutsideWindow,
  timestampShifted,
  timestampMalformed,
  nonceChanged,
  serialUnknown,
  signatureBitFlipped,
  signatureResized,
  signatureNotBase64,
  probe,
  otherMessageSignature,
  signatureType,
  conflictingDuplicate,
];

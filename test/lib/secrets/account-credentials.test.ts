import { beforeAll, describe, expect, it } from 'vitest';
import { parseAccountSecret } from '../../../lib/secrets/account-credentials';
import { ConfigurationError } from '../../../lib/wechatpay';
import { createTestWorld, type TestWorld } from '../../helpers/accounts';
import { thrown } from '../../helpers/errors';

let world: TestWorld;
let secret: Record<string, unknown>;
beforeAll(async () => {
  world = await createTestWorld();
  secret = JSON.parse(world.secret(world.merchant));
});

const parse = (value: unknown) => parseAccountSecret(typeof value === 'string' ? value : JSON.stringify(value));

/** A PEM block of `label` around `body`: garbage shaped like a key. */
const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
const failure = (value: unknown) => thrown(ConfigurationError, () => parse(value));

describe('parseAccountSecret', () => {
  it('parses the secret of SPEC "The secret" into keys, preferring the public key id for requests', () => {
    const credentials = parse(secret);
    expect(credentials).toMatchObject({ mchid: '1900000109', merchantSerialNo: world.merchant.merchant.serial });
    expect(credentials.apiV3Key).toEqual(Buffer.from(world.merchant.apiV3Key));
    expect([...credentials.wechatpayPublicKeys.keys()].sort()).toEqual([world.wechatpay.key.serial, world.wechatpay.publicKeyId].sort());
    expect(credentials.preferredWechatpaySerial).toBe(world.wechatpay.publicKeyId);
    expect(credentials.verifier.knows(world.wechatpay.key.serial)).toBe(true);
  });

  it('requests answers signed by the certificate when it is the only key', () => {
    expect(parse(world.secret(world.merchant, 'certificate')).preferredWechatpaySerial).toBe(world.wechatpay.key.serial);
  });

  it.each([
    ['mchid', undefined, 'is missing'],
    ['mchid', 1900000109, 'is missing or not a string'],
    ['mchid', '19000x', 'must be the digits'],
    ['merchantSerialNo', 'not-hex', 'must be the hex serial'],
    ['merchantPrivateKey', '', 'is missing'],
    ['merchantPrivateKey', pem('PRIVATE KEY', 'AAAA'), 'is not an unencrypted PKCS#8'],
    ['apiV3Key', 'short-secret-key', 'must be exactly 32 bytes'],
    ['wechatpayPublicKeys', [], 'must be an object'],
    ['wechatpayPublicKeys', null, 'must be an object'],
  ])('names %s when it is wrong, never its value', (field, value, problem) => {
    const error = failure({ ...secret, [field]: value });
    expect(error.field).toBe(field);
    expect(error.message).toContain(problem);
    if (typeof value === 'string' && value.length > 0) expect(error.message).not.toContain(value);
  });

  it('names the bad key entry inside wechatpayPublicKeys', () => {
    const error = failure({ ...secret, wechatpayPublicKeys: { [world.wechatpay.publicKeyId]: 'garbage' } });
    expect(error.field).toBe(`wechatpayPublicKeys.${world.wechatpay.publicKeyId}`);
  });

  it.each([
    ['not JSON', '{mchid:', 'is not JSON'],
    ['an array', '[]', 'is not a JSON object'],
    ['null', 'null', 'is not a JSON object'],
  ])('refuses a SecretString that is %s', (_name, text, problem) => {
    expect(failure(text)).toMatchObject({ field: 'SecretString' });
    expect(failure(text).message).toContain(problem);
  });
});

import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountSecret, generateDevKeys } from '../../../dev/keys';
import { startSecretsManager, type SecretsManagerStandIn } from '../../../dev/aws/secrets-manager';
import { localClientConfig } from './local-clients';

const MERCHANT_SECRET = 'payscore/dev/merchant';
const PARTNER_SECRET = 'payscore/dev/partner';

let secretsManager: SecretsManagerStandIn;
let client: SecretsManagerClient;
let merchantSecret: string;

beforeAll(async () => {
  const keys = await generateDevKeys();
  merchantSecret = accountSecret(keys.merchant, keys.wechatpay, 'both');
  secretsManager = await startSecretsManager({
    secrets: { [MERCHANT_SECRET]: merchantSecret, [PARTNER_SECRET]: accountSecret(keys.partner, keys.wechatpay, 'publicKey') },
  });
  client = new SecretsManagerClient(localClientConfig(secretsManager.url));
});

afterAll(async () => {
  client?.destroy();
  await secretsManager?.close();
});

const getSecret = (SecretId: string, more: { VersionStage?: string; VersionId?: string } = {}) => client.send(new GetSecretValueCommand({ SecretId, ...more }));

describe('GetSecretValue', () => {
  it('returns the seeded development secret with its ARN, version and AWSCURRENT stage', async () => {
    const secret = await getSecret(MERCHANT_SECRET);
    expect(secret.SecretString).toBe(merchantSecret);
    expect(JSON.parse(secret.SecretString!)).toMatchObject({ mchid: '1900000109' });
    expect(secret.Name).toBe(MERCHANT_SECRET);
    expect(secret.ARN).toMatch(/^arn:aws:secretsmanager:ap-southeast-1:\d{12}:secret:payscore\/dev\/merchant-[A-Za-z0-9]{6}$/);
    expect(secret.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(secret.VersionStages).toEqual(['AWSCURRENT']);
    expect(secret.CreatedDate).toBeInstanceOf(Date);
  });

  it('finds the secret by its full ARN, by the ARN without its suffix, and by an ARN from another account', async () => {
    const { ARN } = await getSecret(MERCHANT_SECRET);
    const partialArn = ARN!.slice(0, -'-AbCdEf'.length);
    const deployedArn = `arn:aws:secretsmanager:ap-southeast-1:111122223333:secret:${MERCHANT_SECRET}-Xy12Zw`;
    for (const secretId of [ARN!, partialArn, deployedArn]) {
      expect((await getSecret(secretId)).SecretString).toBe(merchantSecret);
    }
  });

  it('keeps secrets apart', async () => {
    expect(JSON.parse((await getSecret(PARTNER_SECRET)).SecretString!)).toMatchObject({ mchid: '1900000001' });
  });

  it('answers a missing secret with the typed ResourceNotFoundException', async () => {
    const error = await getSecret('payscore/dev/nobody').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret.", $metadata: { httpStatusCode: 400 } });
  });

  it('does not take a plain name with an ARN suffix for the secret', async () => {
    await expect(getSecret(`${MERCHANT_SECRET}-Xy12Zw`)).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('PutSecretValue', () => {
  it('adds a version that becomes current; the one before stays readable as AWSPREVIOUS', async () => {
    const before = await getSecret(PARTNER_SECRET);
    const put = await client.send(new PutSecretValueCommand({ SecretId: PARTNER_SECRET, SecretString: '{"rotated":true}' }));
    expect(put).toMatchObject({ ARN: before.ARN, Name: PARTNER_SECRET, VersionStages: ['AWSCURRENT'] });

    const after = await getSecret(PARTNER_SECRET);
    expect(after).toMatchObject({ SecretString: '{"rotated":true}', VersionId: put.VersionId, VersionStages: ['AWSCURRENT'] });
    expect(await getSecret(PARTNER_SECRET, { VersionStage: 'AWSPREVIOUS' })).toMatchObject({ SecretString: before.SecretString, VersionId: before.VersionId });
    expect((await getSecret(PARTNER_SECRET, { VersionId: before.VersionId! })).SecretString).toBe(before.SecretString);

    const described = await client.send(new DescribeSecretCommand({ SecretId: PARTNER_SECRET }));
    expect(described.VersionIdsToStages).toEqual({ [before.VersionId!]: ['AWSPREVIOUS'], [put.VersionId!]: ['AWSCURRENT'] });
    expect(described.LastChangedDate).toBeInstanceOf(Date);
  });

  it('is idempotent per ClientRequestToken, as the SDK retries it', async () => {
    const put = () => client.send(new PutSecretValueCommand({ SecretId: PARTNER_SECRET, SecretString: '{"v":2}', ClientRequestToken: 'a2b6e0f4-6f6e-4d7b-9b36-3f3c2c0c0c01' }));
    const first = await put();
    expect((await put()).VersionId).toBe(first.VersionId);
    await expect(getSecret(PARTNER_SECRET, { VersionStage: 'AWSPREVIOUS' })).resolves.toMatchObject({ SecretString: '{"rotated":true}' });
  });

  it('cannot create a secret', async () => {
    await expect(client.send(new PutSecretValueCommand({ SecretId: 'payscore/dev/new', SecretString: '{}' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('the test handle', () => {
  it('setSecret rotates a secret, or creates one, outside the API', async () => {
    secretsManager.setSecret(MERCHANT_SECRET, '{"set":1}');
    secretsManager.setSecret('payscore/dev/other', '{"set":2}');
    expect((await getSecret(MERCHANT_SECRET)).SecretString).toBe('{"set":1}');
    expect((await getSecret('payscore/dev/other')).SecretString).toBe('{"set":2}');
  });

  it('counts calls per operation, failed ones included', async () => {
    const before = { ...secretsManager.calls };
    for (let i = 0; i < 3; i += 1) await getSecret(MERCHANT_SECRET);
    await getSecret('payscore/dev/nobody').catch(() => undefined);
    await client.send(new DescribeSecretCommand({ SecretId: MERCHANT_SECRET }));
    expect(secretsManager.calls).toEqual({ ...before, GetSecretValue: before.GetSecretValue + 4, DescribeSecret: before.DescribeSecret + 1 });
  });
});

describe('the wire protocol', () => {
  // Any value will do: the stand-in does not verify signatures.
  const SIGNED = { Authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/ap-southeast-1/secretsmanager/aws4_request' };
  const post = (headers: Record<string, string>, body = '{"SecretId":"payscore/dev/merchant"}') =>
    fetch(secretsManager.url, { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.1', ...headers }, body });

  it('requires an Authorization header, as AWS does', async () => {
    const response = await post({ 'X-Amz-Target': 'secretsmanager.GetSecretValue' });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await response.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    const response = await post({ 'X-Amz-Target': 'secretsmanager.DeleteSecret', ...SIGNED });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('answers a body that is not JSON with SerializationException', async () => {
    const response = await post({ 'X-Amz-Target': 'secretsmanager.GetSecretValue', ...SIGNED }, '{');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'SerializationException' });
  });
});

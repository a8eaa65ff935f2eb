// The notify function as a user would write it from wechatpay-axios-plugin's README (Rsa.verify, AesGcm.decrypt, Formatter), with our SDK clients and ledger write: the bench's peer.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { KeyObject } from 'node:crypto';
// By path, not from the root as the README does: bundled as an ES module, the root's `module.exports.default = …` throws (the README's Next.js FAQ).
import Aes from 'wechatpay-axios-plugin/lib/aes.js';
import Formatter from 'wechatpay-axios-plugin/lib/formatter.js';
import Rsa from 'wechatpay-axios-plugin/lib/rsa.js';

const secretsManager = new SecretsManagerClient({});
const ledger = DynamoDBDocumentClient.from(new DynamoDBClient({}));

interface Secret {
  mchid: string;
  apiV3Key: string;
  wechatpayPublicKeys: Record<string, KeyObject>;
}

let secret: Promise<Secret> | undefined;

function loadSecret(): Promise<Secret> {
  secret ??= secretsManager.send(new GetSecretValueCommand({ SecretId: process.env.WECHATPAY_SECRET_ID })).then((output) => {
    const stored = JSON.parse(output.SecretString!) as { mchid: string; apiV3Key: string; wechatpayPublicKeys: Record<string, string> };
    const keys = Object.entries(stored.wechatpayPublicKeys).map(([id, pem]) => [id, Rsa.from(pem, Rsa.KEY_TYPE_PUBLIC)]);
    return { mchid: stored.mchid, apiV3Key: stored.apiV3Key, wechatpayPublicKeys: Object.fromEntries(keys) };
  });
  return secret;
}

const fail = (statusCode: number, message: string): APIGatewayProxyStructuredResultV2 => ({ statusCode, body: JSON.stringify({ code: 'FAIL', message }) });

const RANKS: Record<string, number> = { CREATED: 0, DOING: 1, DONE: 2, REVOKED: 2, EXPIRED: 2 };

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  const timestamp = event.headers['wechatpay-timestamp'];
  const nonce = event.headers['wechatpay-nonce'];
  const signature = event.headers['wechatpay-signature'];
  const serial = event.headers['wechatpay-serial'];
  if (!timestamp || !nonce || !signature || !serial) return fail(401, 'missing signature headers');
  if (Math.abs(Formatter.timestamp() - Number(timestamp)) > 300) return fail(401, 'timestamp out of window');

  const { mchid, apiV3Key, wechatpayPublicKeys } = await loadSecret();
  const publicKey = wechatpayPublicKeys[serial];
  if (!publicKey || !Rsa.verify(Formatter.response(timestamp, nonce, body), signature, publicKey)) return fail(401, 'bad signature');

  const notification = JSON.parse(body) as { id: string; create_time: string; event_type: string; resource: { ciphertext: string; nonce: string; associated_data: string } };
  const { ciphertext, nonce: iv, associated_data: aad } = notification.resource;
  let plaintext: string;
  try {
    plaintext = Aes.AesGcm.decrypt(ciphertext, apiV3Key, iv, aad);
  } catch {
    return fail(400, 'cannot decrypt');
  }
  const order = JSON.parse(plaintext) as { mchid: string; sub_mchid?: string; out_order_no: string; order_id?: string; state?: string; collection?: unknown };
  if (order.mchid !== mchid) return fail(400, 'not for this merchant');

  const receivedAt = new Date().toISOString();
  // The same two writes as lib/ledger/ledger.ts's recordNotification (not imported: the peer holds none of our code), so both sides ask DynamoDB for the same.
  const pk = `SERVICE_ORDER#${order.sub_mchid === undefined ? order.mchid : `${order.mchid}/${order.sub_mchid}`}#${order.out_order_no}`;
  try {
    await ledger.send(
      new PutCommand({
        TableName: process.env.LEDGER_TABLE,
        Item: { pk, sk: `NOTIFICATION#${notification.id}`, kind: 'NOTIFICATION', mchid: order.mchid, out_order_no: order.out_order_no, id: notification.id, event_type: notification.event_type, create_time: notification.create_time, received_at: receivedAt, plaintext },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    // Already recorded: WeChat Pay retried; apply it again all the same.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const version = `${RANKS[order.state ?? ''] ?? 0}#0#${notification.create_time}#${notification.id}`;
  try {
    await ledger.send(
      new UpdateCommand({
        TableName: process.env.LEDGER_TABLE,
        Key: { pk, sk: 'SERVICE_ORDER' },
        UpdateExpression: 'SET mchid = :mchid, out_order_no = :out_order_no, #kind = :kind, #state = :state, #version = :version, #source = :source, source_id = :id, changed_at = :at, order_id = if_not_exists(order_id, :order_id)',
        ConditionExpression: 'attribute_not_exists(#version) OR #version < :version',
        ExpressionAttributeNames: { '#kind': 'kind', '#state': 'state', '#version': 'version', '#source': 'source' },
        ExpressionAttributeValues: { ':mchid': order.mchid, ':out_order_no': order.out_order_no, ':kind': 'SERVICE_ORDER', ':state': order.state ?? 'DOING', ':version': version, ':source': 'notification', ':id': notification.id, ':at': receivedAt, ':order_id': order.order_id ?? null },
      }),
    );
  } catch (error) {
    // An older or repeated message: nothing to apply.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  return { statusCode: 204 };
}

// The notify function as a user would write it from wechatpay-axios-plugin's README (Rsa.verify, AesGcm.decrypt, Formatter), with our SDK clients and ledger write: the bench's peer.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

const RANKS: Record<string, number> = { 'PAYSCORE.USER_CONFIRM': 1, 'PAYSCORE.USER_PAID': 2 };

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
  const entry = { id: notification.id, event_type: notification.event_type, create_time: notification.create_time, received_at: receivedAt, plaintext };
  // The same write as the first one of lib/ledger/ledger.ts (not imported: the peer holds none of our code), so both sides ask DynamoDB for the same.
  try {
    await ledger.send(
      new UpdateCommand({
        TableName: process.env.LEDGER_TABLE,
        Key: { pk: `ORDER#${order.mchid}#${order.sub_mchid ?? ''}#${order.out_order_no}` },
        UpdateExpression:
          'SET mchid = :mchid, sub_mchid = :sub_mchid, out_order_no = :out_order_no, order_id = if_not_exists(order_id, :order_id), ' +
          '#state = :state, state_rank = :rank, last_event_type = :event_type, #collection = :collection, updated_at = :at, ' +
          'notifications = list_append(if_not_exists(notifications, :empty), :entry) ADD notification_ids :id',
        ConditionExpression: 'NOT contains(notification_ids, :id_value) AND (attribute_not_exists(state_rank) OR state_rank <= :rank)',
        ExpressionAttributeNames: { '#state': 'state', '#collection': 'collection' },
        ExpressionAttributeValues: {
          ':mchid': order.mchid,
          ':sub_mchid': order.sub_mchid ?? null,
          ':out_order_no': order.out_order_no,
          ':order_id': order.order_id ?? null,
          ':state': order.state ?? notification.event_type,
          ':rank': RANKS[notification.event_type] ?? 0,
          ':event_type': notification.event_type,
          ':collection': order.collection ?? null,
          ':at': receivedAt,
          ':empty': [],
          ':entry': [entry],
          ':id': new Set([notification.id]),
          ':id_value': notification.id,
        },
      }),
    );
  } catch (error) {
    // Already recorded: WeChat Pay retried.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  return { statusCode: 204 };
}

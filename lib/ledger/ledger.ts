/**
 * The only place that talks to the DynamoDB ledger (SPEC "The ledger"). Every
 * write is conditional or idempotent, never read-then-write, and has its own
 * timeout so that a slow table cannot eat a caller's whole budget.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { orderPartitionKey, type OrderKey } from './order-key';

export interface LedgerOptions {
  client: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
  /** Budget of one write, retries by the SDK included. */
  writeTimeoutMs?: number;
}

export interface CreatedOrder {
  key: OrderKey;
  orderId: string | undefined;
  request: unknown;
  response: unknown;
  wechatpayRequestId: string | undefined;
  /** ISO 8601. */
  at: string;
}

export class Ledger {
  readonly #options: LedgerOptions;

  constructor(options: LedgerOptions) {
    this.#options = options;
  }

  /**
   * Records an order WeChat Pay accepted. Idempotent; a state set by an
   * earlier notification is kept (the state never moves backwards).
   */
  async recordCreatedOrder(order: CreatedOrder): Promise<void> {
    await this.#send(
      new UpdateCommand({
        TableName: this.#options.tableName,
        Key: { pk: orderPartitionKey(order.key) },
        UpdateExpression:
          'SET mchid = :mchid, sub_mchid = :sub_mchid, out_order_no = :out_order_no, order_id = if_not_exists(order_id, :order_id), ' +
          'create_request = :request, create_response = :response, wechatpay_request_id = :request_id, created_at = if_not_exists(created_at, :at), ' +
          '#state = if_not_exists(#state, :created), state_rank = if_not_exists(state_rank, :created_rank)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':mchid': order.key.mchid,
          ':sub_mchid': order.key.subMchid ?? null,
          ':out_order_no': order.key.outOrderNo,
          ':order_id': order.orderId ?? null,
          ':request': order.request,
          ':response': order.response,
          ':request_id': order.wechatpayRequestId ?? null,
          ':at': order.at,
          ':created': 'CREATED',
          ':created_rank': 0,
        },
      }),
    );
  }

  async #send(command: UpdateCommand): Promise<void> {
    await this.#options.client.send(command, { abortSignal: AbortSignal.timeout(this.#options.writeTimeoutMs ?? 2_000) });
  }
}

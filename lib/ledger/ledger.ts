/**
 * The only place that talks to the DynamoDB ledger (SPEC "The ledger"). Every
 * write is conditional or idempotent, never read-then-write, and has its own
 * timeout so that a slow table cannot eat a caller's whole budget.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STATE_EVENT_RANKS, type NotificationOutcome, type ReceivedNotification } from './notification-record';
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
  /** The JSON text signed and sent, exactly. */
  request: string;
  /** WeChat Pay's answer exactly as received: the bytes its signature covers, so it can be verified again. */
  response: string;
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

  /**
   * Records a notification durably, at most once per notification id. Resolves
   * only once DynamoDB has acknowledged the write (or already had it).
   */
  async recordNotification(notification: ReceivedNotification): Promise<NotificationOutcome> {
    const rank = STATE_EVENT_RANKS[notification.eventType];
    if (!notification.order || rank === undefined) return this.#recordEvent(notification);
    const entry = [this.#entry(notification)];
    const key = { pk: orderPartitionKey(notification.order) };
    const common = {
      ':id': new Set([notification.id]),
      ':id_value': notification.id,
      ':entry': entry,
      ':empty': [],
      ':at': notification.receivedAt,
    };
    const plaintext = notification.plaintext.fields;
    // First: apply it, if it is new and not older than the state recorded.
    const applied = await this.#conditional(
      new UpdateCommand({
        TableName: this.#options.tableName,
        Key: key,
        UpdateExpression:
          'SET mchid = :mchid, sub_mchid = :sub_mchid, out_order_no = :out_order_no, order_id = if_not_exists(order_id, :order_id), ' +
          '#state = :state, state_rank = :rank, last_event_type = :event_type, #collection = :collection, updated_at = :at, ' +
          'notifications = list_append(if_not_exists(notifications, :empty), :entry) ADD notification_ids :id',
        ConditionExpression: 'NOT contains(notification_ids, :id_value) AND (attribute_not_exists(state_rank) OR state_rank <= :rank)',
        // Both are DynamoDB reserved words.
        ExpressionAttributeNames: { '#state': 'state', '#collection': 'collection' },
        ExpressionAttributeValues: {
          ...common,
          ':mchid': notification.order.mchid,
          ':sub_mchid': notification.order.subMchid ?? null,
          ':out_order_no': notification.order.outOrderNo,
          ':order_id': typeof plaintext.order_id === 'string' ? plaintext.order_id : null,
          ':state': typeof plaintext.state === 'string' ? plaintext.state : notification.eventType,
          ':rank': rank,
          ':event_type': notification.eventType,
          ':collection': plaintext.collection ?? null,
        },
      }),
    );
    if (applied) return 'applied';
    // Then: new but older than the recorded state (a late USER_CONFIRM): keep it, leave the state alone.
    const late = await this.#conditional(
      new UpdateCommand({
        TableName: this.#options.tableName,
        Key: key,
        UpdateExpression: 'SET notifications = list_append(if_not_exists(notifications, :empty), :entry), updated_at = :at ADD notification_ids :id',
        ConditionExpression: 'NOT contains(notification_ids, :id_value)',
        ExpressionAttributeValues: common,
      }),
    );
    return late ? 'late' : 'duplicate';
  }

  /** A notification about no known kind of order state: one item per notification id. */
  async #recordEvent(notification: ReceivedNotification): Promise<NotificationOutcome> {
    const recorded = await this.#conditional(
      new PutCommand({
        TableName: this.#options.tableName,
        Item: { pk: `EVENT#${notification.mchid}#${notification.id}`, mchid: notification.mchid, ...this.#entry(notification) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return recorded ? 'recorded' : 'duplicate';
  }

  #entry(notification: ReceivedNotification) {
    return {
      id: notification.id,
      event_type: notification.eventType,
      create_time: notification.createTime,
      received_at: notification.receivedAt,
      // The decrypted text itself: reconciliation wants exactly what WeChat Pay sent, unknown fields included.
      plaintext: notification.plaintext.text,
    };
  }

  /** Sends a conditional write; false when its condition did not hold. */
  async #conditional(command: UpdateCommand | PutCommand): Promise<boolean> {
    try {
      await this.#send(command);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async #send(command: UpdateCommand | PutCommand): Promise<void> {
    await this.#options.client.send(command as UpdateCommand, { abortSignal: AbortSignal.timeout(this.#options.writeTimeoutMs ?? 2_000) });
  }
}

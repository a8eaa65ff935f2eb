/**
 * The only place that talks to the DynamoDB ledger (SPEC "The ledger"). Every
 * write is conditional or idempotent, never read-then-write, and each operation
 * has its own time budget so that a slow table cannot eat a caller's whole one.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isJsonObject } from '../wechatpay/json';
import { Expression } from './expression';
import {
  intentKey,
  notificationKey,
  pendingPartition,
  planKey,
  serviceOrderKey,
  signPlanIdKey,
  unattachedNotificationKey,
  userSignPlanDetailKey,
  userSignPlanKey,
  type Account,
  type ItemKey,
  type PendingKind,
  type PlanKey,
  type ServiceOrderKey,
  type UserSignPlanKey,
} from './keys';
import { SERVICE_ORDER_EVENTS, USER_SIGN_PLAN_EVENTS, type NotificationOutcome, type ReceivedNotification } from './notification-record';
import { integerField, jsonField, nestedStringField, storable, stringField } from './plaintext';
import {
  changeVersion,
  COLLECTION_RANKS,
  PLAN_DETAIL_STATES,
  PLAN_STATES,
  SERVICE_ORDER_STATES,
  USER_SIGN_PLAN_STATES,
  type ChangeOrder,
  type ChangeSource,
  type StateMachine,
} from './states';

/** The global secondary index of what is open: partition `pending_pk`, sort `pending_since`. */
export const PENDING_INDEX = 'pending';

export interface LedgerOptions {
  client: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
  /** Budget of one ledger operation (its writes, and the SDK's retries of each). */
  writeTimeoutMs?: number;
}

export interface CreatedOrder {
  key: ServiceOrderKey;
  /** The JSON text signed and sent, exactly. */
  request: string;
  /** WeChat Pay's answer exactly as received: the bytes its signature covers, so it can be verified again. */
  response: string;
  wechatpayRequestId: string | undefined;
  /** ISO 8601, when WeChat Pay answered. */
  at: string;
  /** The user sign plan the order serves, when the ledger holds it. */
  merchantSignPlanNo?: string;
}

/** `new`: the first create answer the ledger holds for this order; `existing`: a repeated create, answered the same order. */
export type CreateRecord = 'new' | 'existing';

export type ObjectKind = 'SERVICE_ORDER' | 'USER_SIGN_PLAN' | 'USER_SIGN_PLAN_DETAIL' | 'PLAN';

/** An attribute read from WeChat Pay's text: a storable string, an exact integer, or absent. */
export type Attributes = Record<string, string | number | undefined>;

/** A change of one object's state, whatever told it (a notification, an answer, a sync). */
export interface StateChange {
  item: ItemKey;
  kind: ObjectKind;
  machine: StateMachine;
  order: ChangeOrder;
  /** The attributes that name the object; written with every change. */
  identity: Attributes;
  /** The message's data: a newer message's replaces it, an absent field is removed. */
  data: Attributes;
  /** WeChat Pay's own ids: set by whichever source gives them first, never overwritten, never null. */
  once: Attributes;
  source: ChangeSource;
  /** The notification id, or WeChat Pay's Request-ID of an answer. */
  sourceId: string | undefined;
  /** ISO 8601, when this system learnt it: the age the pending index sorts by. */
  receivedAt: string;
  /** Where the pending index finds it while its state is not terminal. */
  pending?: { mchid: string; kind: PendingKind };
}

/** Where a change came from, and when WeChat Pay said it. */
export interface ChangeFrom {
  source: ChangeSource;
  sourceId: string | undefined;
  at: string;
  tieBreak: string;
  receivedAt: string;
}

/** What WeChat Pay says of a service order (a notification's plaintext, a create or query answer). */
export interface WechatpayText {
  text: string;
  fields: Record<string, unknown>;
}

/**
 * A service order's change from WeChat Pay's fields; undefined when its state is
 * one the ledger does not know (then there is nothing to order it by: it is kept, not applied).
 */
export function serviceOrderChange(
  key: ServiceOrderKey,
  said: WechatpayText,
  from: ChangeFrom & { defaultState?: string },
): StateChange | undefined {
  const given = stringField(said.fields, 'state');
  const state = given !== undefined && given in SERVICE_ORDER_STATES.ranks ? given : from.defaultState;
  if (state === undefined) return undefined;
  const collectionState = nestedStringField(said.fields, 'collection', 'state');
  return {
    item: serviceOrderKey(key),
    kind: 'SERVICE_ORDER',
    machine: SERVICE_ORDER_STATES,
    order: { state, subRank: (collectionState && COLLECTION_RANKS[collectionState]) || 0, at: from.at, tieBreak: from.tieBreak },
    identity: accountAttributes(key, { out_order_no: key.outOrderNo }),
    data: { state_description: stringField(said.fields, 'state_description'), collection: jsonField(said.text, said.fields, 'collection') },
    once: { order_id: stringField(said.fields, 'order_id'), service_id: stringField(said.fields, 'service_id'), appid: stringField(said.fields, 'appid') },
    ...fromAttributes(from),
    pending: { mchid: key.mchid, kind: 'SERVICE_ORDER' },
  };
}

/**
 * A user sign plan's change from WeChat Pay's fields (a USER_SIGN_PLAN or USER_CANCEL_SIGN_PLAN
 * plaintext, or a query answer: the same object); undefined when its `sign_state` is one the ledger does not know.
 */
export function userSignPlanChange(key: UserSignPlanKey, said: WechatpayText, from: ChangeFrom): StateChange | undefined {
  const state = stringField(said.fields, 'sign_state');
  // Stryker disable next-line ConditionalExpression: `undefined in ranks` is false too; the first test is for the type only.
  if (state === undefined || !(state in USER_SIGN_PLAN_STATES.ranks)) return undefined;
  const text = (name: string) => stringField(said.fields, name);
  return {
    item: userSignPlanKey(key),
    kind: 'USER_SIGN_PLAN',
    machine: USER_SIGN_PLAN_STATES,
    order: { state, at: from.at, tieBreak: from.tieBreak },
    identity: accountAttributes(key, { merchant_sign_plan_no: key.merchantSignPlanNo }),
    data: {
      sign_time: text('sign_time'),
      cancel_sign_time: text('cancel_sign_time'),
      cancel_sign_type: text('cancel_sign_type'),
      cancel_reason: text('cancel_reason'),
      going_detail_no: integerField(said.fields, 'going_detail_no'),
      plan_over_time: text('plan_over_time'),
    },
    once: { sign_plan_id: text('sign_plan_id'), plan_id: text('plan_id'), service_id: text('service_id'), appid: text('appid'), sub_appid: text('sub_appid') },
    ...fromAttributes(from),
    pending: { mchid: key.mchid, kind: 'USER_SIGN_PLAN' },
  };
}

/**
 * The changes of a user sign plan's details (`signed_detail_list`), each an object of its own in the
 * sign plan's partition; a detail without a number or in a state the ledger does not know is left out.
 */
export function userSignPlanDetailChanges(key: UserSignPlanKey, said: WechatpayText, from: ChangeFrom): StateChange[] {
  const list = said.fields.signed_detail_list;
  if (!Array.isArray(list)) return [];
  const signPlan = accountAttributes(key, { merchant_sign_plan_no: key.merchantSignPlanNo });
  return list.filter(isJsonObject).flatMap((detail) => {
    const planDetailNo = integerField(detail, 'plan_detail_no');
    const state = stringField(detail, 'plan_detail_state');
    if (planDetailNo === undefined || planDetailNo < 1 || state === undefined || !(state in PLAN_DETAIL_STATES.ranks)) return [];
    const text = (name: string) => stringField(detail, name);
    return [
      {
        item: userSignPlanDetailKey(key, planDetailNo),
        kind: 'USER_SIGN_PLAN_DETAIL' as const,
        machine: PLAN_DETAIL_STATES,
        order: { state, at: from.at, tieBreak: from.tieBreak },
        identity: { ...signPlan, plan_detail_no: planDetailNo },
        data: {
          order_id: text('order_id'),
          actual_pay_price: integerField(detail, 'actual_pay_price'),
          use_time: text('use_time'),
          complete_time: text('complete_time'),
          cancel_time: text('cancel_time'),
        },
        once: {
          merchant_plan_detail_no: text('merchant_plan_detail_no'),
          plan_detail_name: text('plan_detail_name'),
          original_price: integerField(detail, 'original_price'),
          actual_price: integerField(detail, 'actual_price'),
        },
        ...fromAttributes(from),
      },
    ];
  });
}

/** A plan's change from WeChat Pay's answer (create, query, stop); undefined when its `plan_state` is one the ledger does not know. */
export function planChange(key: PlanKey, said: WechatpayText, from: ChangeFrom): StateChange | undefined {
  const state = stringField(said.fields, 'plan_state');
  // Stryker disable next-line ConditionalExpression: `undefined in ranks` is false too; the first test is for the type only.
  if (state === undefined || !(state in PLAN_STATES.ranks)) return undefined;
  const text = (name: string) => stringField(said.fields, name);
  const integer = (name: string) => integerField(said.fields, name);
  return {
    item: planKey(key),
    kind: 'PLAN',
    machine: PLAN_STATES,
    order: { state, at: from.at, tieBreak: from.tieBreak },
    identity: accountAttributes(key, { merchant_plan_no: key.merchantPlanNo }),
    data: { stop_mchid: text('stop_mchid'), stop_time: text('stop_time') },
    once: {
      plan_id: text('plan_id'),
      service_id: text('service_id'),
      appid: text('appid'),
      sub_appid: text('sub_appid'),
      plan_name: text('plan_name'),
      plan_duration: integer('plan_duration'),
      deduction_quantity: integer('deduction_quantity'),
      total_original_price: integer('total_original_price'),
      total_actual_price: integer('total_actual_price'),
      plan_detail_list: jsonField(said.text, said.fields, 'plan_detail_list'),
    },
    ...fromAttributes(from),
  };
}

const fromAttributes = (from: ChangeFrom): Pick<StateChange, 'source' | 'sourceId' | 'receivedAt'> => ({ source: from.source, sourceId: from.sourceId, receivedAt: from.receivedAt });

/** What a notification is about: the partition it is recorded in, the attributes naming it, and the changes it brings (the first decides the outcome). */
function notificationSubject(notification: ReceivedNotification): { object: ItemKey; identity: Attributes; changes: StateChange[] } | undefined {
  const from: ChangeFrom = { source: 'notification', sourceId: notification.id, at: notification.createTime, tieBreak: notification.id, receivedAt: notification.receivedAt };
  const { order, signPlan, eventType, plaintext } = notification;
  if (signPlan && USER_SIGN_PLAN_EVENTS.has(eventType)) {
    const change = userSignPlanChange(signPlan, plaintext, from);
    return {
      object: userSignPlanKey(signPlan),
      identity: change?.identity ?? accountAttributes(signPlan, { merchant_sign_plan_no: signPlan.merchantSignPlanNo }),
      // A sign plan in a state the ledger does not know is kept, not applied, its details neither.
      changes: change ? [change, ...userSignPlanDetailChanges(signPlan, plaintext, from)] : [],
    };
  }
  if (!order) return undefined;
  const change = SERVICE_ORDER_EVENTS.has(eventType) ? serviceOrderChange(order, plaintext, from) : undefined;
  return { object: serviceOrderKey(order), identity: change?.identity ?? accountAttributes(order, { out_order_no: order.outOrderNo }), changes: change ? [change] : [] };
}

const accountAttributes = (account: Account, numbers: Record<string, string>): Record<string, string | undefined> => ({
  mchid: storable(account.mchid),
  sub_mchid: account.subMchid === undefined ? undefined : storable(account.subMchid),
  ...Object.fromEntries(Object.entries(numbers).map(([name, value]) => [name, storable(value)])),
});

/** The calls that create or change something at WeChat Pay. */
export type IntentOperation = Extract<ChangeSource, 'create' | 'complete' | 'cancel' | 'stop'>;

/** The write-ahead of one call that creates or changes something at WeChat Pay. */
export interface Intent {
  /** The object it acts on. */
  object: ItemKey;
  account: Account;
  operation: IntentOperation;
  method: string;
  path: string;
  /** The exact text to be signed and sent. */
  request: string;
  /** ISO 8601. */
  at: string;
}

export interface IntentOutcome {
  status: 'DONE' | 'FAILED';
  /** ISO 8601. */
  at: string;
  /** What completed it: the answer, or the reconciliation's query. */
  source: ChangeSource;
  httpStatus?: number;
  /** WeChat Pay's answer exactly as received. */
  response?: string;
  wechatpayRequestId?: string;
}

export interface PendingQuery {
  mchid: string;
  kind: PendingKind;
  /** ISO 8601: only what has been open since before it. */
  before: string;
  limit?: number;
  /** `next` of the previous page. */
  startKey?: Record<string, unknown>;
}

/** One object's partition: the object, and what is about it. */
export interface LedgerRecord {
  object: Record<string, unknown> | undefined;
  /** In the order they were received. */
  notifications: Record<string, unknown>[];
  intents: Record<string, unknown>[];
  /** A user sign plan's plan details, by number. */
  details: Record<string, unknown>[];
}

type Command = UpdateCommand | PutCommand | GetCommand | QueryCommand;

export class Ledger {
  readonly #options: LedgerOptions;

  constructor(options: LedgerOptions) {
    this.#options = options;
  }

  /**
   * Records an order WeChat Pay accepted. Its answer's state applies by the same
   * rules as a notification's (a state a notification already moved stays); the
   * request and answer are kept once, from the first answer.
   */
  async recordCreatedOrder(order: CreatedOrder): Promise<CreateRecord> {
    const signal = this.#budget();
    const fields = parsedObject(order.response);
    const change = serviceOrderChange(
      order.key,
      { text: order.response, fields },
      { source: 'create', sourceId: order.wechatpayRequestId, at: order.at, tieBreak: 'create', receivedAt: order.at, defaultState: 'CREATED' },
    )!;
    const created = { created_at: order.at, create_request: order.request, create_response: order.response, wechatpay_request_id: order.wechatpayRequestId, merchant_sign_plan_no: order.merchantSignPlanNo };
    const applied = await this.#apply(change, signal, created);
    if (applied.moved) return applied.old?.created_at === undefined ? 'new' : 'existing';
    // A later state is already there: keep it, add what the answer alone knows.
    const expression = new Expression().setEach(change.identity).setEachOnce({ ...change.once, ...created });
    const result = await this.#send(
      new UpdateCommand({
        TableName: this.#options.tableName,
        Key: change.item,
        UpdateExpression: expression.update(),
        ExpressionAttributeNames: expression.names,
        ExpressionAttributeValues: expression.values,
        ReturnValues: 'UPDATED_OLD',
      }),
      signal,
    );
    return (result as { Attributes?: Record<string, unknown> }).Attributes?.created_at === undefined ? 'new' : 'existing';
  }

  /**
   * Records a notification durably as an item of its own, at most once per id,
   * and applies it to its object, both writes at once. Every copy applies (so a copy whose first
   * delivery failed between the two writes completes it); the order's version
   * makes a second application of the same message impossible. Resolves only
   * once DynamoDB has acknowledged the writes.
   */
  async recordNotification(notification: ReceivedNotification): Promise<NotificationOutcome> {
    const signal = this.#budget();
    const subject = notificationSubject(notification);
    const item = subject ? notificationKey(subject.object, notification.id) : unattachedNotificationKey(notification.mchid, notification.id);
    // The record and the application are independent conditional writes: both go at once, and the
    // answer waits for both. A retry repeats both, so a copy that failed between them completes it.
    const recording = this.#conditional(
      new PutCommand({
        TableName: this.#options.tableName,
        Item: {
          ...item,
          kind: 'NOTIFICATION',
          ...withoutUndefined(subject ? subject.identity : accountAttributes({ mchid: notification.mchid }, {})),
          id: storable(notification.id),
          event_type: storable(notification.eventType),
          create_time: storable(notification.createTime),
          received_at: notification.receivedAt,
          // The decrypted text itself: reconciliation wants exactly what WeChat Pay sent, unknown fields included.
          plaintext: notification.plaintext.text,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
      signal,
    );
    const [change, ...alongside] = subject?.changes ?? [];
    if (!change) return (await recording) ? 'recorded' : 'duplicate';
    // Each object (a sign plan, each of its details) moves by its own version: in parallel, each at most once.
    const [recorded, applied] = await Promise.all([recording, this.#apply(change, signal), ...alongside.map((other) => this.#apply(other, signal))]);
    if (applied.moved) return 'applied';
    if (!recorded) return 'duplicate';
    // Recorded but not applied: late, unless a concurrent copy applied it meanwhile.
    return (await this.#version(change.item, signal)) === changeVersion(change.machine, change.order) ? 'duplicate' : 'late';
  }

  /**
   * Applies a change if it is newer than what the object holds: a higher state,
   * or the same state told later; never out of a terminal state into another.
   * `once` attributes (and `extra`) are set only if absent. False when older, or in a state its
   * machine does not know.
   */
  async applyChange(change: StateChange, extra: Record<string, unknown> = {}): Promise<boolean> {
    return (await this.#apply(change, this.#budget(), extra)).moved;
  }

  /** One item, read consistently; undefined when the ledger has none. */
  async item(key: ItemKey): Promise<Record<string, unknown> | undefined> {
    const result = await this.#send(new GetCommand({ TableName: this.#options.tableName, Key: key, ConsistentRead: true }), this.#budget());
    return (result as { Item?: Record<string, unknown> }).Item;
  }

  /** Notes which user sign plan WeChat Pay's `sign_plan_id` is (the same every time: a repeat rewrites it alike). */
  async recordSignPlanId(key: UserSignPlanKey, signPlanId: string): Promise<void> {
    await this.#send(
      new PutCommand({
        TableName: this.#options.tableName,
        Item: { ...signPlanIdKey(key, signPlanId), kind: 'SIGN_PLAN_ID', ...withoutUndefined(accountAttributes(key, { merchant_sign_plan_no: key.merchantSignPlanNo, sign_plan_id: signPlanId })) },
      }),
      this.#budget(),
    );
  }

  /** The user sign plan WeChat Pay's `sign_plan_id` is, if the ledger knows it. */
  async signPlanOf(account: Account, signPlanId: string): Promise<UserSignPlanKey | undefined> {
    const reference = await this.item(signPlanIdKey(account, signPlanId));
    const number = reference?.merchant_sign_plan_no;
    return typeof number === 'string' ? { ...account, merchantSignPlanNo: number } : undefined;
  }

  async #apply(change: StateChange, signal: AbortSignal, extra: Record<string, unknown> = {}): Promise<{ moved: boolean; old?: Record<string, unknown> }> {
    const version = changeVersion(change.machine, change.order);
    if (version === undefined) return { moved: false };
    const expression = new Expression().setEach(change.identity);
    expression.set('kind', change.kind).set('state', change.order.state).set('version', version).set('source', change.source).setOrRemove('source_id', change.sourceId && storable(change.sourceId));
    expression.set('changed_at', change.receivedAt);
    for (const [attribute, value] of Object.entries(change.data)) expression.setOrRemove(attribute, value);
    expression.setEachOnce({ ...change.once, ...extra });
    if (change.pending && !change.machine.terminal.includes(change.order.state)) {
      expression.set('pending_pk', pendingPartition(change.pending.mchid, change.pending.kind)).set('pending_since', change.receivedAt);
    } else {
      expression.remove('pending_pk').remove('pending_since');
    }
    const state = expression.name('state');
    const versionName = expression.name('version');
    const terminal = change.machine.terminal.map((name) => expression.value(name)).join(', ');
    const condition =
      `(attribute_not_exists(${versionName}) OR ${versionName} < ${expression.value(version)}) AND ` +
      `(attribute_not_exists(${state}) OR ${state} = ${expression.value(change.order.state)} OR NOT (${state} IN (${terminal})))`;
    const command = new UpdateCommand({
      TableName: this.#options.tableName,
      Key: change.item,
      UpdateExpression: expression.update(),
      ConditionExpression: condition,
      ExpressionAttributeNames: expression.names,
      ExpressionAttributeValues: expression.values,
      ...(Object.keys(extra).length ? { ReturnValues: 'UPDATED_OLD' as const } : {}),
    });
    try {
      const result = (await this.#send(command, signal)) as { Attributes?: Record<string, unknown> };
      return { moved: true, ...(result.Attributes ? { old: result.Attributes } : {}) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { moved: false };
      throw error;
    }
  }

  async #version(item: ItemKey, signal: AbortSignal): Promise<unknown> {
    const result = await this.#send(
      new GetCommand({ TableName: this.#options.tableName, Key: item, ConsistentRead: true, ProjectionExpression: '#version', ExpressionAttributeNames: { '#version': 'version' } }),
      signal,
    );
    return (result as { Item?: Record<string, unknown> }).Item?.version;
  }

  /**
   * Writes the intent of a call as PENDING, before the call. False when the
   * operation already has one (PENDING or DONE: the caller's repeat); a FAILED
   * one (WeChat Pay never had it) is replaced, so a retry goes through.
   */
  async writeIntent(intent: Intent): Promise<boolean> {
    return this.#conditional(
      new PutCommand({
        TableName: this.#options.tableName,
        Item: {
          ...intentKey(intent.object, intent.operation),
          kind: 'INTENT',
          ...withoutUndefined(accountAttributes(intent.account, {})),
          operation: intent.operation,
          method: intent.method,
          path: intent.path,
          request: intent.request,
          status: 'PENDING',
          created_at: intent.at,
          pending_pk: pendingPartition(intent.account.mchid, 'INTENT'),
          pending_since: intent.at,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :failed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': 'FAILED' },
      }),
      this.#budget(),
    );
  }

  /** Completes a PENDING intent (it leaves the pending index). False when it was not PENDING. */
  async completeIntent(object: ItemKey, operation: string, outcome: IntentOutcome): Promise<boolean> {
    const expression = new Expression()
      .set('status', outcome.status)
      .set('completed_at', outcome.at)
      .set('completed_by', outcome.source)
      .setOrRemove('http_status', outcome.httpStatus)
      .setOrRemove('response', outcome.response)
      .setOrRemove('wechatpay_request_id', outcome.wechatpayRequestId)
      .remove('pending_pk')
      .remove('pending_since');
    return this.#conditional(
      new UpdateCommand({
        TableName: this.#options.tableName,
        Key: intentKey(object, operation),
        UpdateExpression: expression.update(),
        ConditionExpression: `${expression.name('status')} = ${expression.value('PENDING')}`,
        ExpressionAttributeNames: expression.names,
        ExpressionAttributeValues: expression.values,
      }),
      this.#budget(),
    );
  }

  /** What has been open since before `before`, oldest first (so that a bounded run starves nothing): a query on the index, never a scan. */
  async pending(query: PendingQuery): Promise<{ items: Record<string, unknown>[]; next?: Record<string, unknown> }> {
    const result = (await this.#send(
      new QueryCommand({
        TableName: this.#options.tableName,
        IndexName: PENDING_INDEX,
        KeyConditionExpression: 'pending_pk = :pk AND pending_since < :before',
        ExpressionAttributeValues: { ':pk': pendingPartition(query.mchid, query.kind), ':before': query.before },
        ScanIndexForward: true,
        ...(query.limit ? { Limit: query.limit } : {}),
        ...(query.startKey ? { ExclusiveStartKey: query.startKey } : {}),
      }),
      this.#budget(),
    )) as { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
    return { items: result.Items ?? [], ...(result.LastEvaluatedKey ? { next: result.LastEvaluatedKey } : {}) };
  }

  /**
   * Moves an open item to the back of the pending index (`pending_since` = `at`) without changing its
   * state or version: what a reconciliation asked about and learnt nothing new from. False when it
   * is no longer open, or already later.
   */
  async touchPending(item: ItemKey, at: string): Promise<boolean> {
    return this.#conditional(
      new UpdateCommand({
        TableName: this.#options.tableName,
        Key: item,
        UpdateExpression: 'SET pending_since = :at, checked_at = :at',
        ConditionExpression: 'attribute_exists(pending_pk) AND pending_since < :at',
        ExpressionAttributeValues: { ':at': at },
      }),
      this.#budget(),
    );
  }

  /**
   * A user sign plan's plan details alone (not its notifications), in order: what the reconciliation
   * checks for an order in service. One page: a plan's details (a hundred at most) are far below a Query's 1 MB.
   */
  async details(signPlan: ItemKey): Promise<Record<string, unknown>[]> {
    const result = (await this.#send(
      new QueryCommand({
        TableName: this.#options.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :detail)',
        ExpressionAttributeValues: { ':pk': signPlan.pk, ':detail': 'DETAIL#' },
      }),
      this.#budget(),
    )) as { Items?: Record<string, unknown>[] };
    return result.Items ?? [];
  }

  /** An object as the ledger has it, with its notifications, intents and details: one partition, read whole. */
  async read(object: ItemKey): Promise<LedgerRecord> {
    const signal = this.#budget();
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = (await this.#send(
        new QueryCommand({
          TableName: this.#options.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': object.pk },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
        signal,
      )) as { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const of = (kind: string) => items.filter((item) => item.kind === kind);
    return {
      object: items.find((item) => item.sk === object.sk),
      notifications: of('NOTIFICATION').sort((a, b) => String(a.received_at).localeCompare(String(b.received_at))),
      intents: of('INTENT'),
      details: of('USER_SIGN_PLAN_DETAIL'),
    };
  }

  /** Sends a conditional write; false when its condition did not hold. */
  async #conditional(command: UpdateCommand | PutCommand, signal: AbortSignal): Promise<boolean> {
    try {
      await this.#send(command, signal);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  #budget(): AbortSignal {
    return AbortSignal.timeout(this.#options.writeTimeoutMs ?? 2_000);
  }

  async #send(command: Command, abortSignal: AbortSignal): Promise<unknown> {
    return this.#options.client.send(command as UpdateCommand, { abortSignal });
  }
}

/** The answer's JSON object; an empty one for anything else (the create handler only records verified answers). */
function parsedObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : {};
  } catch {
    return {};
  }
}

const withoutUndefined = (attributes: Attributes): Record<string, string | number> =>
  Object.fromEntries(Object.entries(attributes).filter((entry): entry is [string, string | number] => entry[1] !== undefined));

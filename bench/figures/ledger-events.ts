/**
 * The ledger events publisher's cost per 1,000 changes: the deployed handler (production wiring, the
 * real EventBridge client) on the stream records of real ledger writes, in batches as Lambda sends them
 * (serverless.yml's batchSize), publishing to the local EventBridge on loopback.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { serviceOrderKey, type ServiceOrderKey } from '../../lib/ledger/keys';
import { lambdaContext } from '../../test/helpers/events';
import { ledgerEventsBatchSize } from '../serverless-settings';
import type { BenchOptions } from '../options';
import { now, summarise } from '../stats';
import type { BenchWorld } from '../world';

type Handler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

const CHANGES = 1_000;

/** 500 orders, each created then paid: 1,000 changes of an object's status, as the stream has them after Lambda's filter. */
async function changes(world: BenchWorld): Promise<DynamoDBRecord[]> {
  const ledger = world.aws.ledger();
  const records: DynamoDBRecord[] = [];
  for (let order = 0; order < CHANGES / 2; order += 1) {
    const key: ServiceOrderKey = { mchid: world.keys.merchant.mchid, outOrderNo: randomUUID().replace(/-/g, '') };
    const at = new Date().toISOString();
    records.push(
      await world.aws.streamRecord(serviceOrderKey(key), () =>
        ledger.recordCreatedOrder({ key, request: '{}', response: JSON.stringify({ out_order_no: key.outOrderNo, order_id: `ORDER-${order}`, state: 'CREATED' }), wechatpayRequestId: 'REQ', at }),
      ),
    );
    const text = JSON.stringify({ mchid: key.mchid, out_order_no: key.outOrderNo, state: 'DONE', collection: { state: 'USER_PAID', total_amount: 2500, paying_amount: 0, paid_amount: 2500 } });
    const id = `EV-${randomUUID()}`;
    records.push(
      await world.aws.streamRecord(serviceOrderKey(key), () =>
        ledger.recordNotification({ id, eventType: 'PAYSCORE.USER_PAID', createTime: at, receivedAt: at, plaintext: { text, fields: JSON.parse(text) }, order: key, mchid: key.mchid }),
      ),
    );
  }
  return records;
}

export async function ledgerEvents(world: BenchWorld, options: BenchOptions) {
  // Imported only now: the module wires itself from process.env, which the world has just set.
  const { handler } = (await import('../../functions/publish-ledger-events')) as { handler: Handler };
  const records = await changes(world);
  const batchSize = ledgerEventsBatchSize();
  const batches = Array.from({ length: Math.ceil(records.length / batchSize) }, (_, index) => records.slice(index * batchSize, (index + 1) * batchSize));
  const context = lambdaContext(60_000);
  const perThousand: number[] = [];
  const perInvocation: number[] = [];
  // A first round warms the client's connection and the handler's modules, as a warm container has them.
  for (let round = 0; round <= options.ledgerEventRounds; round += 1) {
    world.aws.eventBridge.clear();
    const start = now();
    for (const batch of batches) {
      const invocation = now();
      const { batchItemFailures } = await handler({ Records: batch }, context);
      if (batchItemFailures.length) throw new Error(`the publisher reported ${batchItemFailures.length} records failed`);
      if (round > 0) perInvocation.push(now() - invocation);
    }
    if (round > 0) perThousand.push(now() - start);
  }
  const { calls, events } = world.aws.eventBridge;
  if (events.length !== CHANGES) throw new Error(`${events.length} events published for ${CHANGES} changes`);
  return {
    changes: CHANGES,
    batchSize,
    invocations: batches.length,
    putEventsCalls: calls.PutEvents,
    entriesPerCall: { min: Math.min(...calls.entries), max: Math.max(...calls.entries) },
    perThousand: summarise(perThousand),
    perInvocation: summarise(perInvocation),
  };
}

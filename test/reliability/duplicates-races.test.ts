/**
 * Duplicates and races: each of N genuine notifications delivered three times
 * concurrently, in a random order, with the orders' USER_CONFIRMs racing their
 * USER_PAIDs or arriving late. All acknowledged, exactly one ledger effect each,
 * every order DONE.
 */
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deductionNotifyHandler } from '../../lib/handlers/deduction-notify';
import { serviceOrderKey } from '../../lib/ledger/keys';
import { createTestWorld, type TestWorld } from '../helpers/accounts';
import { lambdaContext } from '../helpers/events';
import { startLocalAws, type LocalAws } from '../helpers/local-aws';
import { buildNotification, type BuiltNotification } from '../helpers/notifications';
import { figuresFile, Tally } from './helpers/figures';
import { LogCollector } from './helpers/log-hygiene';
import { notifyEvent, transportArbitrary, type Transport } from './helpers/notify-events';
import { inPool } from './helpers/pool';
import { LONG_RUNNING, maxMs, timed, type Timed } from './helpers/timing';
import { recordingMetrics } from '../helpers/metrics';

const ORDERS = 100;
const COPIES = 3;
/** Orders in flight at once (each with up to six concurrent deliveries). */
const WIDTH = 8;

const figures = figuresFile('duplicates-races');
const logs = new LogCollector();
const log = logs.log();
let world: TestWorld;
let aws: LocalAws;

interface Scenario {
  outOrderNo: string;
  paid: BuiltNotification & { id: string };
  confirm: BuiltNotification & { id: string };
  /** The USER_CONFIRM only after the USER_PAID was acknowledged. */
  lateConfirm: boolean;
}

beforeAll(async () => {
  world = await createTestWorld();
  aws = await startLocalAws({ merchant: world.secret(world.merchant) });
  logs.forbidKeys([world.merchant], world.wechatpay.key);
});
afterAll(() => aws.close());

function scenario(index: number): Scenario {
  const outOrderNo = `RACE${index}${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const openid = `oRACE${randomUUID().replace(/-/g, '')}`;
  const notification = (eventType: string, plaintext: Record<string, unknown>) => {
    const id = `EV-RACE-${randomUUID()}`;
    const built = buildNotification(world.wechatpay, world.merchant, { id, eventType, plaintext: { out_order_no: outOrderNo, order_id: `ORDER${index}`, openid, ...plaintext } });
    logs.forbid('a full Wechatpay-Signature', built.headers['Wechatpay-Signature']!);
    return { ...built, id };
  };
  logs.forbid('a plaintext openid', openid);
  return {
    outOrderNo,
    paid: notification('PAYSCORE.USER_PAID', {}),
    confirm: notification('PAYSCORE.USER_CONFIRM', { state: 'DOING', collection: undefined }),
    lateConfirm: index % 2 === 1,
  };
}

describe('reliability: duplicates and races', LONG_RUNNING, () => {
  it(`${ORDERS} orders, every notification delivered ${COPIES}× concurrently in random order: one effect each, all DONE`, async () => {
    const ledger = aws.ledger();
    const secrets = aws.secretCache('merchant');
    const timings: Timed[] = [];
    const handler = timed(deductionNotifyHandler(log, () => ({ secrets, ledger }), recordingMetrics()), timings);
    const scenarios = Array.from({ length: ORDERS }, (_, index) => scenario(index));
    for (const [index, { outOrderNo }] of scenarios.entries()) {
      await ledger.recordCreatedOrder({ key: { mchid: world.merchant.mchid, outOrderNo }, request: '{}', response: JSON.stringify({ state: 'CREATED', order_id: `ORDER${index}` }), wechatpayRequestId: undefined, at: new Date().toISOString() });
    }
    // The random order of everything, from the fixed fast-check seed.
    const [shuffle] = fc.sample(fc.record({ orders: fc.shuffledSubarray(scenarios, { minLength: ORDERS }), deliveries: fc.array(fc.tuple(fc.double({ noNaN: true }), transportArbitrary), { minLength: ORDERS * 2 * COPIES, maxLength: ORDERS * 2 * COPIES }) }), 1);
    let draw = 0;
    const copies = (notification: BuiltNotification) => Array.from({ length: COPIES }, () => ({ notification, order: shuffle!.deliveries[draw++]! }));
    const deliver = async (batch: Array<{ notification: BuiltNotification; order: [number, Transport] }>) => {
      const sorted = [...batch].sort((a, b) => a.order[0] - b.order[0]);
      const responses = await Promise.all(sorted.map(({ notification, order }) => handler(notifyEvent(notification, order[1]), lambdaContext())));
      for (const response of responses) expect(response.statusCode, response.body).toBe(204);
    };

    await inPool(shuffle!.orders, WIDTH, async ({ paid, confirm, lateConfirm }) => {
      if (!lateConfirm) return deliver([...copies(paid), ...copies(confirm)]);
      await deliver(copies(paid));
      await deliver(copies(confirm));
    });

    const outcomes = new Tally();
    const effects = new Map<string, number>();
    for (const line of log.lines.filter((entry) => entry.message === 'notification recorded')) {
      const outcome = String(line.attributes.outcome);
      outcomes.add(outcome);
      if (outcome !== 'duplicate') effects.set(String(line.attributes.notification_id), (effects.get(String(line.attributes.notification_id)) ?? 0) + 1);
    }
    const items = await aws.items();
    let done = 0;
    for (const { outOrderNo, paid, confirm, lateConfirm } of scenarios) {
      const { pk } = serviceOrderKey({ mchid: world.merchant.mchid, outOrderNo });
      const partition = items.filter((item) => item.pk === pk);
      const order = partition.find((item) => item.kind === 'SERVICE_ORDER')!;
      expect(order).toMatchObject({ state: 'DONE', source: 'notification', source_id: paid.id, order_id: expect.stringMatching(/^ORDER/) });
      expect(JSON.parse(order.collection as string)).toMatchObject({ state: 'USER_PAID' });
      expect(partition.filter((item) => item.kind === 'NOTIFICATION').map((item) => item.id).sort()).toEqual([paid.id, confirm.id].sort());
      expect(effects.get(paid.id)).toBe(1);
      expect(effects.get(confirm.id)).toBe(1);
      if (lateConfirm) expect(log.lines.find((line) => line.attributes.notification_id === confirm.id && line.attributes.outcome !== 'duplicate')!.attributes.outcome).toBe('late');
      done += 1;
    }
    // Per order: the order and its two notifications.
    expect(items).toHaveLength(ORDERS * 3);
    expect(timings).toHaveLength(ORDERS * 2 * COPIES);
    expect(outcomes.counts.duplicate).toBe(ORDERS * 2 * (COPIES - 1));
    figures.record({
      orders: ORDERS,
      notifications: ORDERS * 2,
      deliveries: timings.length,
      acknowledged: timings.filter((timing) => timing.statusCode === 204).length,
      outcomes: outcomes.counts,
      notificationsWithExactlyOneEffect: [...effects.values()].filter((count) => count === 1).length,
      lateConfirms: scenarios.filter((entry) => entry.lateConfirm).length,
      ordersDone: done,
      tableItems: items.length,
      maxAnswerMs: maxMs(timings),
    });
  });

  it('the logs hold no key, full signature or plaintext openid', () => {
    const hygiene = logs.check();
    figures.record({ logHygiene: hygiene });
    expect(hygiene.leaks).toEqual([]);
    expect(hygiene.logLines).toBeGreaterThanOrEqual(ORDERS * 2 * COPIES);
  });
});

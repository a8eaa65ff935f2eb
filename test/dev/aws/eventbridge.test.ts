/** The local EventBridge, through the real `@aws-sdk/client-eventbridge`: what PutEvents answers, and its faults. */
import { EventBridgeClient, InternalException, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEventBridge, type EventBridgeStandIn } from '../../../dev/aws/eventbridge';
import { localClientConfig } from './local-clients';

const BUS = 'payscore-sign-plan-dev-events';
let eventBridge: EventBridgeStandIn;
let client: EventBridgeClient;
const received: string[] = [];

beforeAll(async () => {
  eventBridge = await startEventBridge({ eventBusNames: [BUS], onEvent: (event) => received.push(event.detailType) });
  client = new EventBridgeClient(localClientConfig(eventBridge.url));
});
afterAll(async () => {
  client?.destroy();
  await eventBridge?.close();
});
beforeEach(() => {
  eventBridge.clear();
  eventBridge.failEntries(undefined);
  received.length = 0;
});

const entry = (n: number, overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  EventBusName: BUS,
  Source: 'payscore.sign-plan',
  DetailType: 'Service Order Paid',
  Detail: JSON.stringify({ n }),
  Time: new Date('2026-11-22T02:00:01.000Z'),
  ...overrides,
});
const put = (entries: PutEventsRequestEntry[]) => client.send(new PutEventsCommand({ Entries: entries }));

describe('PutEvents', () => {
  it('accepts each entry, gives it an id, keeps it as sent (Time included) and tells onEvent', async () => {
    const answer = await put([entry(1), entry(2)]);
    expect(answer.FailedEntryCount).toBe(0);
    expect(answer.Entries?.map((each) => each.EventId)).toEqual(eventBridge.events.map((event) => event.id));
    expect(eventBridge.events).toEqual([1, 2].map((n) => ({ id: expect.any(String), eventBusName: BUS, source: 'payscore.sign-plan', detailType: 'Service Order Paid', detail: { n }, time: '2026-11-22T02:00:01.000Z', resources: [] })));
    expect(received).toEqual(['Service Order Paid', 'Service Order Paid']);
    expect(eventBridge.calls).toEqual({ PutEvents: 1, entries: [2] });
  });

  it('refuses more than 10 entries in a call, as EventBridge does', async () => {
    await expect(put(Array.from({ length: 11 }, (_, n) => entry(n)))).rejects.toMatchObject({ name: 'ValidationException' });
    expect(eventBridge.events).toEqual([]);
  });

  it('fails an entry of a bus that does not exist, or with a malformed detail, and accepts the others', async () => {
    const answer = await put([entry(1, { EventBusName: 'nobody' }), entry(2, { Detail: '[1]' }), entry(3)]);
    expect(answer.FailedEntryCount).toBe(2);
    expect(answer.Entries?.map((each) => each.ErrorCode ?? 'ok')).toEqual(['ResourceNotFoundException', 'MalformedDetail', 'ok']);
    expect(eventBridge.events.map((event) => event.detail)).toEqual([{ n: 3 }]);
  });
});

describe('faults', () => {
  it('failEntries: the entries it picks fail with the code given, until it is cleared', async () => {
    eventBridge.failEntries((sent) => sent.detail.n === 2, 'ThrottlingException');
    const answer = await put([entry(1), entry(2), entry(3)]);
    expect(answer).toMatchObject({ FailedEntryCount: 1, Entries: [{ EventId: expect.any(String) }, { ErrorCode: 'ThrottlingException' }, { EventId: expect.any(String) }] });
    eventBridge.failEntries(undefined);
    expect((await put([entry(2)])).FailedEntryCount).toBe(0);
    expect(eventBridge.events.map((event) => event.detail.n)).toEqual([1, 3, 2]);
  });

  it('fail(count): the next calls answer 500 InternalException, then it serves again', async () => {
    eventBridge.fail(1);
    await expect(put([entry(1)])).rejects.toBeInstanceOf(InternalException);
    await expect(put([entry(1)])).resolves.toMatchObject({ FailedEntryCount: 0 });
    expect(eventBridge.calls.PutEvents).toBe(2);
  });

  it("fail(count, 'hang'): no answer, so the client times out", async () => {
    const impatient = new EventBridgeClient(localClientConfig(eventBridge.url, { requestTimeoutMs: 200 }));
    eventBridge.fail(1, 'hang');
    await expect(impatient.send(new PutEventsCommand({ Entries: [entry(1)] }))).rejects.toMatchObject({ name: 'TimeoutError' });
    eventBridge.release();
    impatient.destroy();
  });
});

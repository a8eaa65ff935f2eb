/**
 * A function that calls WeChat Pay, warm, against the sandbox on loopback: ours as deployed
 * (production wiring, the real Ledger and its SDK client) against the contract's floor
 * (bench/floors/contract-call.ts: the ledger calls SPEC requires, one sign, one keep-alive
 * POST, one verify) through the same SDK client. The ledger on both sides is a DynamoDB that
 * answers at once (bench/dynamodb-answering-at-once.ts): every round trip and every command's
 * client-side cost counts, the stand-in's own work does not. Afterwards both sides' ledger
 * calls per invocation are counted, so the table says what the ratio compares.
 */
import type { Context } from 'aws-lambda';
import { createPublicKey } from 'node:crypto';
import { createServiceOrder } from '../../lib/operations/service-order-create';
import { LIFECYCLE_OPERATIONS } from '../../lib/operations/routes';
import { SERVICE_ORDER_PATHS } from '../../lib/service-order/wechatpay-paths';
import { loadPrivateKey } from '../../lib/wechatpay';
import { operationsFunction } from '../../lib/wiring/operations';
import { merchantOrder } from '../../test/helpers/orders';
import { startDynamoDbAnsweringAtOnce } from '../dynamodb-answering-at-once';
import { createOrderEvent, planCreateEvent, planRequest, type BenchEvent } from '../events';
import { contractCall } from '../floors/contract-call';
import { createFloor } from '../floors/create-floor';
import { PLAN_CREATE_PATH } from '../floors/paths';
import { repeat } from '../interleave';
import type { BenchOptions } from '../options';
import { invoke } from '../warm-handlers';
import type { BenchWorld } from '../world';
import { warmComparison } from './warm-comparison';

type Handler = (event: BenchEvent, context: Context) => Promise<{ statusCode: number; body?: string }>;

interface SignedCall {
  /** Built once the ledger's endpoint is set, as a container is built with its environment. */
  handler: () => Handler;
  event: () => BenchEvent;
  /** The floor's request: what the event's body asks for. */
  path: string;
  body: () => Record<string, unknown>;
  /** The floor reads the ledger before it writes ahead (a create's sign-plan check). */
  check: boolean;
}

/** Invocations over which each side's ledger calls are counted, after the timed rounds. */
const COUNTED = 20;

async function signedCallWarm(world: BenchWorld, options: BenchOptions, call: SignedCall) {
  const { merchant, wechatpay } = world.keys;
  const ledger = await startDynamoDbAnsweringAtOnce();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = ledger.url;
  const handler = call.handler();
  const floor = createFloor({
    baseUrl: world.sandbox.url,
    path: call.path,
    mchid: merchant.mchid,
    serialNo: merchant.merchant.serial,
    privateKey: loadPrivateKey(merchant.merchant.privateKeyPem),
    wechatpaySerial: wechatpay.publicKeyId,
    wechatpayPublicKey: createPublicKey(wechatpay.key.publicKeyPem),
  });
  const steps = { ours: () => invoke(handler, call.event(), 200), floor: () => contractCall(floor, JSON.stringify(call.body()), { check: call.check }) };
  const ledgerCalls = async (step: () => Promise<unknown>) => {
    const before = ledger.requests();
    await repeat(step, COUNTED);
    return (ledger.requests() - before) / COUNTED;
  };
  try {
    const comparison = await warmComparison(world, steps, { warmup: options.warmup, rounds: options.createRounds });
    return { ...comparison, ledgerCalls: { ours: await ledgerCalls(steps.ours), floor: await ledgerCalls(steps.floor) } };
  } finally {
    floor.close();
    await ledger.close();
  }
}

/** The create function: an order on a sign plan the ledger does not hold (its sign-plan check is one read). */
export const createWarm = (world: BenchWorld, options: BenchOptions) =>
  signedCallWarm(world, options, {
    handler: () => operationsFunction('create-merchant-service-order', 'merchant', [createServiceOrder], process.env),
    event: createOrderEvent,
    path: SERVICE_ORDER_PATHS.merchant,
    body: merchantOrder,
    check: true,
  });

/** The lifecycle function on its benchmarked route, a plan's create: a new number each round. */
export const lifecycleWarm = (world: BenchWorld, options: BenchOptions) =>
  signedCallWarm(world, options, {
    handler: () => operationsFunction('merchant-lifecycle', 'merchant', LIFECYCLE_OPERATIONS, process.env),
    event: planCreateEvent,
    path: PLAN_CREATE_PATH,
    body: planRequest,
    check: false,
  });

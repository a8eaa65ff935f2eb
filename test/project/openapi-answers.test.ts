/**
 * The document's 200 answers of the GET routes are what they read from a real ledger (dynalite,
 * through lib/ledger), and WeChat Pay's answers (the seeds' return table) are bodies of its
 * WeChat Pay answer schemas.
 */
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planKey, serviceOrderKey, userSignPlanKey } from '../../lib/ledger/keys';
import { planChange, userSignPlanChange, userSignPlanDetailChanges } from '../../lib/ledger/ledger';
import { recordView, signPlanStatus, signPlanView } from '../../lib/operations/views';
import { startLocalAws, type LocalAws } from '../helpers/local-aws';
import { SEED_MERCHANT_ORDER } from '../helpers/orders';

const document = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')) as { components: { schemas: Record<string, object> } };
const ajv = new Ajv2020({ strict: true, allErrors: true });
const judge = (name: string, body: unknown) => {
  const validate = ajv.compile(document.components.schemas[name]!);
  return validate(body) ? 'valid' : JSON.stringify(validate.errors);
};

const MCHID = '1230000109';
const AT = '2026-12-04T04:00:00.000Z';
const from = (source: 'create' | 'sync') => ({ source, sourceId: 'request-1', at: AT, tieBreak: source, receivedAt: AT });

/** The merchant seed's order as WeChat Pay answers it (the seed's return table). */
const ORDER_ANSWER = {
  out_order_no: SEED_MERCHANT_ORDER.out_trade_no,
  service_id: SEED_MERCHANT_ORDER.service_id,
  appid: SEED_MERCHANT_ORDER.appid,
  mchid: MCHID,
  service_introduction: SEED_MERCHANT_ORDER.service_introduction,
  state: 'CREATED',
  post_payments: [{ name: '第2节', amount: 2500, description: '羽毛球课' }],
  risk_fund: { amount: 2500 },
  time_range: SEED_MERCHANT_ORDER.time_range,
  notify_url: SEED_MERCHANT_ORDER.notify_url,
  order_id: '15646546545165651651',
};
const PLAN_ANSWER = {
  plan_id: '1000000000000001',
  merchant_plan_no: 'PLAN20261204001',
  mchid: MCHID,
  service_id: SEED_MERCHANT_ORDER.service_id,
  appid: SEED_MERCHANT_ORDER.appid,
  plan_name: '羽毛球课3节',
  plan_state: 'NORMAL',
  plan_duration: 30,
  deduction_quantity: 2,
  total_original_price: 5500,
  total_actual_price: 5500,
  plan_detail_list: [
    { plan_detail_no: 1, original_price: 3000, actual_price: 3000, plan_detail_name: '第1节' },
    { plan_detail_no: 2, original_price: 2500, actual_price: 2500, plan_detail_name: '第2节' },
  ],
};
const SIGN_PLAN = {
  sign_plan_id: '01000033210000324638000000376258',
  merchant_sign_plan_no: 'SIGN20261204001',
  mchid: MCHID,
  plan_id: PLAN_ANSWER.plan_id,
  service_id: SEED_MERCHANT_ORDER.service_id,
  appid: SEED_MERCHANT_ORDER.appid,
  openid: SEED_MERCHANT_ORDER.openid,
  sign_state: 'SIGNED',
  going_detail_no: 1,
  signed_detail_list: [
    { plan_detail_no: 1, original_price: 3000, actual_price: 3000, plan_detail_state: 'USING', merchant_plan_detail_no: String(SEED_MERCHANT_ORDER.out_trade_no), plan_detail_name: '第1节' },
    { plan_detail_no: 2, original_price: 2500, actual_price: 2500, plan_detail_state: 'NOT_USED', merchant_plan_detail_no: 'DETAIL-2', plan_detail_name: '第2节' },
  ],
};

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws({});
});
afterAll(() => aws.close());

describe("openapi.json's answers", () => {
  it("describes WeChat Pay's answers as the seeds' return tables give them", () => {
    expect(judge('ServiceOrder', ORDER_ANSWER)).toBe('valid');
    expect(judge('Plan', PLAN_ANSWER)).toBe('valid');
    expect(judge('UserSignPlan', SIGN_PLAN)).toBe('valid');
    expect(judge('PreSign', { sign_plan: { ...SIGN_PLAN, sign_state: 'UNSIGNED' }, package: 'DJIOSQPYWDxsa' })).toBe('valid');
    // What the function checks of an answer is required: an answer naming no order is not one.
    const { out_order_no: _number, ...unnamed } = ORDER_ANSWER;
    expect(judge('ServiceOrder', unnamed)).not.toBe('valid');
  });

  it('describes what the GET routes read from the ledger: a service order with its intent, a plan, a user sign plan with its details', async () => {
    const ledger = aws.ledger();
    const orderKey = { mchid: MCHID, outOrderNo: String(ORDER_ANSWER.out_order_no) };
    const order = serviceOrderKey(orderKey);
    await ledger.writeIntent({ object: order, account: { mchid: MCHID }, operation: 'create', method: 'POST', path: '/v3/payscore/sign-plan/serviceorder', request: JSON.stringify(SEED_MERCHANT_ORDER), at: AT });
    const response = JSON.stringify(ORDER_ANSWER);
    await ledger.recordCreatedOrder({ key: orderKey, request: JSON.stringify(SEED_MERCHANT_ORDER), response, wechatpayRequestId: 'request-1', at: AT });
    await ledger.completeIntent(order, 'create', { status: 'DONE', at: AT, source: 'create', httpStatus: 200, response, wechatpayRequestId: 'request-1' });
    const orderView = recordView(await ledger.read(order));
    expect(orderView).toMatchObject({ state: 'CREATED', intents: [{ operation: 'create', status: 'DONE', http_status: 200 }] });
    expect(judge('LedgerRecord', orderView)).toBe('valid');

    const plan = { mchid: MCHID, merchantPlanNo: PLAN_ANSWER.merchant_plan_no };
    await ledger.applyChange(planChange(plan, { text: JSON.stringify(PLAN_ANSWER), fields: PLAN_ANSWER }, from('create'))!);
    const planView = recordView(await ledger.read(planKey(plan)));
    expect(planView).toMatchObject({ state: 'NORMAL', plan_detail_list: PLAN_ANSWER.plan_detail_list });
    expect(judge('LedgerRecord', planView)).toBe('valid');

    const signPlan = { mchid: MCHID, merchantSignPlanNo: SIGN_PLAN.merchant_sign_plan_no };
    const said = { text: JSON.stringify(SIGN_PLAN), fields: SIGN_PLAN };
    await Promise.all([ledger.applyChange(userSignPlanChange(signPlan, said, from('sync'))!), ...userSignPlanDetailChanges(signPlan, said, from('sync')).map((detail) => ledger.applyChange(detail))]);
    const signPlanAnswer = signPlanView(await signPlanStatus(ledger, signPlan));
    expect(signPlanAnswer).toMatchObject({ state: 'SIGNED', details: [{ plan_detail_no: 1, state: 'USING' }, { plan_detail_no: 2, state: 'NOT_USED' }] });
    expect(judge('LedgerUserSignPlan', signPlanAnswer)).toBe('valid');
    expect(await ledger.read(userSignPlanKey(signPlan))).toMatchObject({ details: [{}, {}] });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accountComponent,
  encodeComponent,
  intentKey,
  notificationKey,
  partitionObject,
  pendingPartition,
  planKey,
  serviceOrderKey,
  unattachedNotificationKey,
  userSignPlanDetailKey,
  userSignPlanKey,
} from '../../../lib/ledger/keys';

describe('ledger keys', () => {
  it('escape the separators, the escape and every surrogate, with fixed-width escapes', () => {
    expect(encodeComponent('1234323JKHDFE1243252')).toBe('1234323JKHDFE1243252');
    expect(encodeComponent('a#b/c%d')).toBe('a%0023b%002Fc%0025d');
    expect(encodeComponent('\ud800')).toBe('%D800');
    expect(encodeComponent('🏸')).toBe('%D83C%DFF8');
    expect(encodeComponent('羽毛球_-|*')).toBe('羽毛球_-|*');
  });

  it('never encode two components alike, nor let a component hold a separator', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(encodeComponent(a)).not.toMatch(/[#/]/);
        if (a !== b) expect(encodeComponent(a)).not.toBe(encodeComponent(b));
      }),
    );
  });

  it('name the object of a partition again, whatever its numbers hold (the reconciliation reads an intent by it)', () => {
    const account = fc.record({ mchid: fc.string({ unit: 'binary' }), subMchid: fc.option(fc.string({ unit: 'binary' }), { nil: undefined }) });
    fc.assert(
      fc.property(account, fc.string({ unit: 'binary' }), ({ mchid, subMchid }, number) => {
        const owner = subMchid === undefined ? { mchid } : { mchid, subMchid };
        expect(partitionObject(serviceOrderKey({ ...owner, outOrderNo: number }).pk)).toEqual({ kind: 'SERVICE_ORDER', account: owner, number });
        expect(partitionObject(userSignPlanKey({ ...owner, merchantSignPlanNo: number }).pk)).toEqual({ kind: 'USER_SIGN_PLAN', account: owner, number });
        expect(partitionObject(planKey({ ...owner, merchantPlanNo: number }).pk)).toEqual({ kind: 'PLAN', account: owner, number });
      }),
    );
    expect(partitionObject(unattachedNotificationKey('1900000109', 'EV-1').pk)).toBeUndefined();
    expect(partitionObject('SIGN_PLAN_ID#1900000109#X')).toBeUndefined();
    expect(partitionObject('SERVICE_ORDER#1900000109#X#Y')).toBeUndefined();
    expect(partitionObject('SERVICE_ORDER#M/S/T#X')).toBeUndefined();
  });

  it("keep (sub_mchid S1#X, out_trade_no Y) and (S1, X#Y) apart, and a merchant's order apart from a partner's", () => {
    const keys = [
      serviceOrderKey({ mchid: 'M', subMchid: 'S1#X', outOrderNo: 'Y' }),
      serviceOrderKey({ mchid: 'M', subMchid: 'S1', outOrderNo: 'X#Y' }),
      serviceOrderKey({ mchid: 'M', outOrderNo: 'S1#X#Y' }),
      serviceOrderKey({ mchid: 'M/S1', outOrderNo: 'X' }),
      serviceOrderKey({ mchid: 'M', subMchid: 'S1', outOrderNo: 'X' }),
      serviceOrderKey({ mchid: 'M', subMchid: '', outOrderNo: 'X' }),
      serviceOrderKey({ mchid: 'M', outOrderNo: 'X' }),
    ];
    expect(new Set(keys.map((key) => key.pk)).size).toBe(keys.length);
    expect(keys[0]).toEqual({ pk: 'SERVICE_ORDER#M/S1%0023X#Y', sk: 'SERVICE_ORDER' });
    expect(keys[1]).toEqual({ pk: 'SERVICE_ORDER#M/S1#X%0023Y', sk: 'SERVICE_ORDER' });
  });

  it('put everything about an object in its partition, and each kind under its own prefix', () => {
    const order = serviceOrderKey({ mchid: '1900000109', outOrderNo: 'OUT1' });
    expect(notificationKey(order, 'EV-1')).toEqual({ pk: 'SERVICE_ORDER#1900000109#OUT1', sk: 'NOTIFICATION#EV-1' });
    expect(intentKey(order, 'create')).toEqual({ pk: 'SERVICE_ORDER#1900000109#OUT1', sk: 'INTENT#create' });
    const signPlan = { mchid: '1900000109', subMchid: '1900000110', merchantSignPlanNo: 'SP1' };
    expect(userSignPlanKey(signPlan)).toEqual({ pk: 'USER_SIGN_PLAN#1900000109/1900000110#SP1', sk: 'USER_SIGN_PLAN' });
    expect(userSignPlanDetailKey(signPlan, 3)).toEqual({ pk: 'USER_SIGN_PLAN#1900000109/1900000110#SP1', sk: 'DETAIL#0003' });
    expect(planKey({ mchid: '1900000109', merchantPlanNo: 'P1' })).toEqual({ pk: 'PLAN#1900000109#P1', sk: 'PLAN' });
    expect(unattachedNotificationKey('1900000109', 'EV#2')).toEqual({ pk: 'NOTIFICATION#1900000109#EV%00232', sk: 'NOTIFICATION#EV%00232' });
    expect(accountComponent({ mchid: '1900000109' })).toBe('1900000109');
    expect(pendingPartition('1900000109', 'SERVICE_ORDER')).toBe('1900000109#SERVICE_ORDER');
  });
});

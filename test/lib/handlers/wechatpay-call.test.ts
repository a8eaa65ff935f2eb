import { describe, expect, it } from 'vitest';
import { measuredCall } from '../../../lib/handlers/wechatpay-call';
import { WechatPayApiError, WechatPayTimeoutError, WechatPayUnavailableError, type WechatPayResponse } from '../../../lib/wechatpay';
import { recordingMetrics } from '../../helpers/metrics';

describe('measuredCall', () => {
  const answer: WechatPayResponse = { status: 200, body: Buffer.from('{}'), json: {}, requestId: 'R1' };

  it.each([
    ['an answer', async () => answer, 200],
    ["WeChat Pay's 4xx", async () => Promise.reject(new WechatPayApiError(404, { code: 'ORDER_NOT_EXIST', message: 'no such order' }, 'R2')), 404],
    ['no answer in time', async () => Promise.reject(new WechatPayTimeoutError('deadline passed')), 'TIMEOUT'],
    ['no trustworthy answer', async () => Promise.reject(new WechatPayUnavailableError('answered 503 three times')), 'UNAVAILABLE'],
    ['anything else', async () => Promise.reject(new Error('bug')), 'ERROR'],
  ])('%s: counted by its status, timed on the injected clock', async (_name, call, status) => {
    const metrics = recordingMetrics();
    let now = 1_000;
    const clock = () => now;
    const result = measuredCall(metrics, 'create', clock, async () => {
      now += 240;
      return call();
    });
    if (status === 200) expect(await result).toBe(answer);
    else await expect(result).rejects.toThrow();
    expect(metrics.emitted()).toEqual([{ operation: 'create', status: String(status), WechatpayCalls: 1, WechatpayLatency: 240 }]);
  });
});

/**
 * The physical floor of a signed WeChat Pay call (an order's create, a plan's):
 * one RSA sign, one keep-alive HTTP POST of the bytes to the same sandbox, one
 * verify of its answer.
 */
import { Agent, request } from 'node:http';
import { randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { formatAuthorization, requestMessage, responseMessage } from '../../lib/wechatpay';

export interface CreateFloorOptions {
  baseUrl: string;
  path: string;
  mchid: string;
  serialNo: string;
  privateKey: KeyObject;
  wechatpaySerial: string;
  wechatpayPublicKey: KeyObject;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function post(agent: Agent, url: URL, headers: Record<string, string>, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', agent, headers: { ...headers, 'Content-Length': String(body.length) } }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode!, headers: incoming.headers as Record<string, string>, body: Buffer.concat(chunks) }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

export type CreateFloor = ReturnType<typeof createFloor>;

export function createFloor(options: CreateFloorOptions) {
  const agent = new Agent({ keepAlive: true });
  const url = new URL(options.path, options.baseUrl);
  return {
    /** Resolves to WeChat Pay's verified answer. */
    async create(body: Buffer): Promise<Buffer> {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = randomBytes(16).toString('hex');
      const signature = sign('sha256', requestMessage({ method: 'POST', url: options.path, timestamp, nonce, body }), options.privateKey).toString('base64');
      const answer = await post(agent, url, {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'Wechatpay-Serial': options.wechatpaySerial,
        Authorization: formatAuthorization({ mchid: options.mchid, nonce_str: nonce, timestamp, serial_no: options.serialNo, signature }),
      }, body);
      const h = answer.headers;
      const message = responseMessage({ timestamp: h['wechatpay-timestamp']!, nonce: h['wechatpay-nonce']!, body: answer.body });
      if (answer.status !== 200 || !verify('sha256', message, options.wechatpayPublicKey, Buffer.from(h['wechatpay-signature']!, 'base64'))) {
        throw new Error(`floor: the sandbox answered ${answer.status}, or its signature does not verify`);
      }
      return answer.body;
    },
    close: () => agent.destroy(),
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCertificateEntry, headerValue } from '../../lib/wechatpay';
import type { RegisteredAccount } from './accounts';
import { ApiError } from './api-error';
import { authenticate } from './authenticate';
import { readBody, sendJson } from './http';
import { requestId, resourceNonce } from './ids';
import type { PublishedCertificate } from './platform-certificates';
import type { SandboxCore } from './sandbox-core';
import { rfc3339Time } from './wechat-time';

/** One entry of `data`: the certificate encrypted with the calling account's APIv3 key. */
const entry = (certificate: PublishedCertificate, account: RegisteredAccount) =>
  createCertificateEntry({
    serial: certificate.serial,
    pem: certificate.certificatePem,
    effectiveTime: rfc3339Time(certificate.notBefore),
    expireTime: rfc3339Time(certificate.notAfter),
    apiV3Key: account.apiV3Key,
    nonce: resourceNonce(),
  });

/**
 * `GET /v3/certificates` as WeChat Pay answers it: the request authenticated like
 * any other (over an empty body), every valid platform certificate encrypted for
 * the caller, the answer signed with the key the request's `Wechatpay-Serial`
 * names while it is still held, else as other answers are.
 */
export async function handleCertificates(core: SandboxCore, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const received = { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body: await readBody(request) };
  let answer: { status: number; json: unknown };
  try {
    const account = authenticate(received, core.accounts, core.options.clock);
    answer = { status: 200, json: { data: core.certificates.list().map((certificate) => entry(certificate, account)) } };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    answer = { status: error.status, json: error.toJSON() };
  }
  core.options.log(`${received.method} ${received.url} → ${answer.status}`);
  const text = JSON.stringify(answer.json);
  sendJson(response, answer.status, text, { 'Request-ID': requestId(), ...core.signing.headersFor(headerValue(request.headers, 'Wechatpay-Serial'), text) });
}

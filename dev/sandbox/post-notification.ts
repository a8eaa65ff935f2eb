import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export type PostOutcome = { statusCode: number } | { error: string };

export interface Post {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Aborted when the sandbox closes. */
  signal: AbortSignal;
}

/**
 * One delivery attempt: POST the body and wait for the status. No connection
 * reuse (`agent: false`), so that nothing stays open after the attempt.
 */
export function postNotification(post: Post): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(post.url);
    } catch {
      resolve({ error: `notify_url ${post.url} is not a URL` });
      return;
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, {
      method: 'POST',
      agent: false,
      signal: post.signal,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(post.body), ...post.headers },
    });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${post.timeoutMs} ms`)), post.timeoutMs);
    const settle = (outcome: PostOutcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    request.on('response', (response) => {
      // Drain the answer; only its status counts.
      response.resume();
      response.on('close', () => settle(response.complete ? { statusCode: response.statusCode ?? 0 } : { error: 'the answer was cut off' }));
    });
    request.on('error', (error) => settle({ error: error.message }));
    request.end(post.body);
  });
}

import { MalformedAuthorizationError } from './errors';

export const SIGNATURE_SCHEME = 'WECHATPAY2-SHA256-RSA2048';

export interface AuthorizationFields {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
  signature: string;
}

const FIELDS = ['mchid', 'nonce_str', 'timestamp', 'serial_no', 'signature'] as const;

export function formatAuthorization(fields: AuthorizationFields): string {
  return `${SIGNATURE_SCHEME} ${FIELDS.map((name) => `${name}="${fields[name]}"`).join(',')}`;
}

const PAIR = /^([a-z_]+)="([^"]*)"$/;

/** Reads `WECHATPAY2-SHA256-RSA2048 k="v",…`; every field must be present once and non-empty. */
export function parseAuthorization(header: string): AuthorizationFields {
  const prefix = `${SIGNATURE_SCHEME} `;
  if (!header.startsWith(prefix)) throw new MalformedAuthorizationError(`Authorization must start with "${prefix}"`);
  const found = new Map<string, string>();
  for (const pair of header.slice(prefix.length).split(',')) {
    const match = PAIR.exec(pair.trim());
    if (!match) throw new MalformedAuthorizationError('Authorization parameters must be name="value" pairs separated by commas');
    const [, name, value] = match as unknown as [string, string, string];
    if (found.has(name)) throw new MalformedAuthorizationError(`Authorization parameter ${name} appears twice`);
    found.set(name, value);
  }
  const missing = FIELDS.filter((name) => !found.get(name));
  if (missing.length > 0) throw new MalformedAuthorizationError(`Authorization lacks ${missing.join(', ')}`);
  return Object.fromEntries(FIELDS.map((name) => [name, found.get(name)])) as unknown as AuthorizationFields;
}

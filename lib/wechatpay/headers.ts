import { InvalidHeaderError } from './errors';

/** Headers as Node, API Gateway (HTTP API and REST) and fetch give them. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The value of a header, matched case-insensitively. A header present twice
 * with different values is refused: which one was signed cannot be known.
 */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const wanted = name.toLowerCase();
  let value: string | undefined;
  for (const [key, raw] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || raw === undefined) continue;
    for (const candidate of typeof raw === 'string' ? [raw] : raw) {
      if (value !== undefined && value !== candidate) throw new InvalidHeaderError(name, 'appears more than once with different values');
      value = candidate;
    }
  }
  return value;
}

import { InvalidHeaderError } from './errors';

/** Headers as Node, API Gateway (HTTP API and REST) and fetch give them. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The values of `names`, matched case-insensitively, in one pass over the bag.
 * A header present twice with different values is refused: which one was
 * signed cannot be known.
 */
export function headerValues<Name extends string>(headers: HeaderBag, names: readonly Name[]): Record<Name, string | undefined> {
  const wanted = new Map(names.map((name) => [name.toLowerCase(), name]));
  const values = {} as Record<Name, string | undefined>;
  for (const key in headers) {
    const name = wanted.get(key.toLowerCase());
    const raw = headers[key];
    if (name === undefined || raw === undefined) continue;
    for (const candidate of typeof raw === 'string' ? [raw] : raw) {
      const seen = values[name];
      if (seen !== undefined && seen !== candidate) throw new InvalidHeaderError(name, 'appears more than once with different values');
      values[name] = candidate;
    }
  }
  return values;
}

export const headerValue = (headers: HeaderBag, name: string): string | undefined => headerValues(headers, [name])[name];

/**
 * Builds once on first use; a failure is not kept, so it is reported (and retried) per invocation.
 * Its own module: the refresher's wiring needs it without account.ts, which would bundle the ledger's DynamoDB client.
 */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

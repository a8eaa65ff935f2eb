/**
 * Its own module so that the refresher's wiring takes it without account-dependencies.ts (and the ledger's DynamoDB client).
 * Builds once on first use; a failure is not kept, so it is reported (and retried) per invocation.
 */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

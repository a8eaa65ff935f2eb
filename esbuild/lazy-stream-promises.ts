// node:stream/promises as @middy/core uses it (`pipeline`), loaded only when asked.
import type { pipeline as Pipeline } from 'node:stream/promises';

export async function pipeline(...streams: Parameters<typeof Pipeline>): Promise<void> {
  const { pipeline: run } = await import('node:stream/promises');
  return run(...streams);
}

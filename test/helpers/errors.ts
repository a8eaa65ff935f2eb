import { expect } from 'vitest';

/** The error `attempt` throws, checked to be a `type`: for asserting on its fields. */
export function thrown<T extends Error>(type: abstract new (...args: never[]) => T, attempt: () => unknown): T {
  try {
    attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as T;
  }
  throw new Error(`expected a ${type.name}`);
}

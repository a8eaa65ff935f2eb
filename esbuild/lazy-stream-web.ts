// node:stream/web as @middy/core uses it (`instanceof ReadableStream`), loaded only when asked.
export class ReadableStream {
  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof globalThis.ReadableStream;
  }
}

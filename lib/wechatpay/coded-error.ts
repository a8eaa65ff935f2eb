/**
 * The base of every error this project throws: a stable `code` that logs and the
 * HTTP table (lib/http/error-responses.ts) rely on, the class name as `name`, and
 * the `cause` it was given. It lives in the protocol core because the core may
 * import nothing from outside it; lib/errors.ts re-exports it for the application.
 */
export abstract class CodedError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

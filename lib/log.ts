/** Structured JSON logs. Handlers log through this interface so tests can read what was logged. */
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';

export type LogAttributes = Record<string, unknown>;

export interface Log {
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
}

/** Powertools' JSON logger (level from POWERTOOLS_LOG_LEVEL, default INFO). */
export function powertoolsLog(serviceName: string): Log {
  const logger = new Logger({ serviceName });
  return {
    info: (message, attributes = {}) => logger.info(message, attributes),
    warn: (message, attributes = {}) => logger.warn(message, attributes),
    error: (message, attributes = {}) => logger.error(message, attributes),
  };
}

/** A log whose every line carries `context` (e.g. the Lambda request id). */
export function withContext(log: Log, context: LogAttributes): Log {
  return {
    info: (message, attributes) => log.info(message, { ...context, ...attributes }),
    warn: (message, attributes) => log.warn(message, { ...context, ...attributes }),
    error: (message, attributes) => log.error(message, { ...context, ...attributes }),
  };
}

/** A stable, non-reversible reference to a user id (openid): logs must never hold it in clear. */
export const userReference = (openid: string): string => createHash('sha256').update(openid).digest('hex').slice(0, 16);

/**
 * Structured JSON logs, one line each on stdout (CloudWatch keeps them as they
 * are). Hand-written rather than Powertools Logger: that one reads environment
 * variables and runs a reference-tracking JSON replacer on every call, a large
 * share of a warm notification (docs/performance.md).
 */
import { createHash } from 'node:crypto';
import { sourceMappedStack } from './stack-trace';

export type LogAttributes = Record<string, unknown>;

export interface Log {
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
}

const LEVELS = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, SILENT: 100 } as const;
type Level = keyof typeof LEVELS;

/** Error fields worth logging; others (e.g. an upstream body that may echo a user id) stay out. */
const ERROR_FIELDS = ['code', 'status', 'field', 'header', 'serial', 'requestId', 'errors'] as const;

/** An Error as plain data: name, message, the fields above, stack, and its causes. */
function errorData(error: Error, depth = 0): Record<string, unknown> {
  const data: Record<string, unknown> = { name: error.name, message: error.message };
  for (const field of ERROR_FIELDS) if ((error as unknown as Record<string, unknown>)[field] !== undefined) data[field] = (error as unknown as Record<string, unknown>)[field];
  if (error.stack !== undefined) data.stack = sourceMappedStack(error.stack);
  if (error.cause !== undefined) data.cause = error.cause instanceof Error && depth < 5 ? errorData(error.cause, depth + 1) : String(error.cause);
  return data;
}

export interface JsonLogOptions {
  service: string;
  /** DEBUG, INFO (default), WARN, ERROR or SILENT. */
  level?: string | undefined;
  write?: (line: string) => void;
  clock?: () => number;
}

export function jsonLog(options: JsonLogOptions): Log {
  const threshold = LEVELS[(options.level?.toUpperCase() ?? 'INFO') as Level] ?? LEVELS.INFO;
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const clock = options.clock ?? Date.now;
  const at = (level: Level) => (message: string, attributes: LogAttributes = {}) => {
    if (LEVELS[level] < threshold) return;
    const entry: Record<string, unknown> = { level, message, timestamp: new Date(clock()).toISOString(), service: options.service };
    for (const key in attributes) {
      const value = attributes[key];
      entry[key] = value instanceof Error ? errorData(value) : value;
    }
    let line: string;
    try {
      line = JSON.stringify(entry);
    } catch {
      // A log line must never break a request (a BigInt or a cycle in an attribute).
      line = JSON.stringify({ level, message, timestamp: entry.timestamp, service: options.service, unserialisable: Object.keys(attributes) });
    }
    write(`${line}\n`);
  };
  return { info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
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

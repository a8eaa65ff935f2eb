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
  debug(message: string, attributes?: LogAttributes): void;
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
  /**
   * The invocation's own fields (lib/http/http-handler.ts sets them as it starts): every line
   * carries them until the next invocation. A container runs one invocation at a time.
   */
  setInvocation(fields: LogAttributes): void;
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

/** Where the logs and the metrics (lib/metrics.ts) go: stdout, which Lambda sends to CloudWatch Logs line by line. */
export const writeStdout = (line: string): void => void process.stdout.write(line);

export function jsonLog(options: JsonLogOptions): Log {
  const threshold = LEVELS[(options.level?.toUpperCase() ?? 'INFO') as Level] ?? LEVELS.INFO;
  const write = options.write ?? writeStdout;
  const clock = options.clock ?? Date.now;
  let invocation: LogAttributes = {};
  const at = (level: Level) => (message: string, attributes: LogAttributes = {}) => {
    if (LEVELS[level] < threshold) return;
    const entry: Record<string, unknown> = { level, message, timestamp: new Date(clock()).toISOString(), service: options.service };
    for (const key in invocation) entry[key] = invocation[key];
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
  return {
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
    setInvocation: (fields) => {
      invocation = fields;
    },
  };
}

/** A log whose every line carries `context` (e.g. the Lambda request id). */
export function withContext(log: Log, context: LogAttributes): Log {
  return {
    debug: (message, attributes) => log.debug(message, { ...context, ...attributes }),
    info: (message, attributes) => log.info(message, { ...context, ...attributes }),
    warn: (message, attributes) => log.warn(message, { ...context, ...attributes }),
    error: (message, attributes) => log.error(message, { ...context, ...attributes }),
    setInvocation: (fields) => log.setInvocation(fields),
  };
}

/** The part of an API Gateway event (payload 2.0 or 1.0) whose fields a log line carries. */
export interface InvocationEvent {
  requestContext?: {
    requestId?: string;
    /** HTTP API, IAM route. */
    authorizer?: { iam?: { userArn?: string } } | null;
    /** REST API, IAM route. */
    identity?: { userArn?: string | null };
  };
}

/** Lambda sets each invocation's X-Ray trace header in this variable. */
export const lambdaTraceHeader = (): string | undefined => process.env._X_AMZN_TRACE_ID;

let coldStart = true;

/**
 * What Powertools Logger puts on every line, under its names: the function, whether this is the
 * container's first invocation, the X-Ray trace; for an API Gateway event its request id and, on
 * an IAM route, the caller's ARN (who created or cancelled what). Called once per invocation.
 */
export function invocationFields(context: { awsRequestId: string; functionName: string }, event: InvocationEvent | undefined, traceHeader: string | undefined): LogAttributes {
  const fields: LogAttributes = { aws_request_id: context.awsRequestId, function_name: context.functionName, cold_start: coldStart };
  coldStart = false;
  // `Root=1-…;Parent=…;Sampled=…`: the trace id is the Root.
  const root = traceHeader && /(?:^|;)Root=([^;]+)/.exec(traceHeader)?.[1];
  if (root) fields.xray_trace_id = root;
  const request = event?.requestContext;
  if (request?.requestId) fields.api_request_id = request.requestId;
  const caller = request?.authorizer?.iam?.userArn ?? request?.identity?.userArn;
  if (caller) fields.caller_arn = caller;
  return fields;
}

/** A stable, non-reversible reference to a user id (openid): logs must never hold it in clear. */
export const userReference = (openid: string): string => createHash('sha256').update(openid).digest('hex').slice(0, 16);

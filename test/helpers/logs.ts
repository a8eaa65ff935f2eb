/** A Log that keeps every line, for asserting what was logged and what never was. */
import type { Log, LogAttributes } from '../../lib/log';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: LogAttributes;
  /** The invocation's fields the line carries (`Log.setInvocation`). */
  invocation: LogAttributes;
}

export interface RecordingLog extends Log {
  lines: LogLine[];
  /** Every line as the JSON a real logger would print, errors with their causes. */
  text(): string;
}

const serialise = (value: unknown): unknown => {
  if (value instanceof Error) return { name: value.name, message: value.message, code: (value as { code?: unknown }).code, cause: serialise(value.cause) };
  return value;
};

/** DEBUG lines are kept only when `options.debug` (as LOG_LEVEL=DEBUG would print them). */
export function recordingLog(options: { debug?: boolean } = {}): RecordingLog {
  const lines: LogLine[] = [];
  let invocation: LogAttributes = {};
  const at = (level: LogLine['level']) => (message: string, attributes: LogAttributes = {}) => {
    if (level !== 'debug' || options.debug) lines.push({ level, message, attributes, invocation });
  };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setInvocation: (fields) => {
      invocation = fields;
    },
    text: () => lines.map((line) => JSON.stringify({ ...line, attributes: Object.fromEntries(Object.entries(line.attributes).map(([k, v]) => [k, serialise(v)])) })).join('\n'),
  };
}

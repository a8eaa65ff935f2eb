/** A Log that keeps every line, for asserting what was logged and what never was. */
import type { Log, LogAttributes } from '../../lib/log';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  attributes: LogAttributes;
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

export function recordingLog(): RecordingLog {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (message: string, attributes: LogAttributes = {}) => void lines.push({ level, message, attributes });
  return {
    lines,
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: () => lines.map((line) => JSON.stringify({ ...line, attributes: Object.fromEntries(Object.entries(line.attributes).map(([k, v]) => [k, serialise(v)])) })).join('\n'),
  };
}

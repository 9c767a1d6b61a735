/**
 * The handlers' structured logger: one record per fact, a message (`msg`) and its fields.
 *
 * It uses Lambda's own JSON logging (the functions run with `loggingFormat: JSON`, see
 * infra/constructs/function.ts), not Powertools Logger. There the Node.js runtime writes each
 * `console.*` call as `{timestamp, level, requestId, message}`, one object argument kept whole
 * (Logs Insights reads `message.msg`, `message.key`, …), and applies the function's application
 * log level (AWS_LAMBDA_LOG_LEVEL) to the console methods: request id and level filtering for free.
 * Powertools Logger would work too (Lambda parses its stdout lines and filters on their `level`),
 * but renames the fields tests, docs and queries use (`msg`, `info`) and adds a bundled dependency.
 * Elsewhere (tests, the text log format) a record is one JSON line `{time, level, msg, …}` on stdout
 * or to `write`, not through `console`, which in the text format prefixes each line.
 */
import type { Log, LogFields } from '../core/log.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger extends Log {
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

export interface JsonLoggerOptions {
  /** Lowest level written; default from LOG_LEVEL, else AWS_LAMBDA_LOG_LEVEL, else `info`. */
  level?: LogLevel;
  /** Where lines go (one JSON line each); default: Lambda's JSON logging, else stdout. */
  write?: (line: string) => void;
  /** Fields on every line (service name, …). */
  base?: LogFields;
}

/** Thresholds by level name, Lambda's `trace` and `fatal` included. */
const ORDER: Record<string, number> = { trace: 10, debug: 10, info: 20, warn: 30, error: 40, fatal: 40 };

type Sink = (level: LogLevel, record: LogFields) => void;

const lineSink =
  (write: (line: string) => void): Sink =>
  (_level, record) =>
    write(JSON.stringify(record, errorReplacer));

function defaultSink(): Sink {
  if (process.env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() !== 'JSON') {
    return lineSink((line) => void process.stdout.write(`${line}\n`));
  }
  // The runtime wraps the record in timestamp, level and requestId.
  return (level, { time: _t, level: _l, ...record }) =>
    console[level](JSON.parse(JSON.stringify(record, errorReplacer)));
}

export function jsonLogger(options: JsonLoggerOptions = {}): Logger {
  const envLevel = (process.env.LOG_LEVEL || process.env.AWS_LAMBDA_LOG_LEVEL || 'info').toLowerCase();
  const min = ORDER[options.level ?? (Object.hasOwn(ORDER, envLevel) ? envLevel : 'info')]!;
  const sink = options.write ? lineSink(options.write) : defaultSink();
  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => {
      if (ORDER[level]! < min) return;
      sink(level, { time: new Date().toISOString(), level, msg, ...base, ...fields });
    };
    return {
      debug: emit('debug'),
      info: emit('info'),
      warn: emit('warn'),
      error: emit('error'),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.base ?? {});
}

/** Errors serialize to their name and message (JSON.stringify would give `{}`). */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

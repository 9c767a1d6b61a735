/**
 * A tiny structured logger: one JSON object per line on stdout, which CloudWatch Logs Insights
 * parses into fields. It writes to `process.stdout` rather than `console.log` because the Lambda
 * Node runtime prefixes console lines with a timestamp and request id (text log format), which
 * would stop the line from being JSON.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function isLevel(s: string | undefined): s is LogLevel {
  return s !== undefined && s in ORDER;
}

export interface JsonLoggerOptions {
  /** Lowest level written; default from `LOG_LEVEL`, else `info`. */
  level?: LogLevel;
  /** Where lines go; default stdout. */
  write?: (line: string) => void;
  /** Fields on every line (service name, …). */
  base?: LogFields;
}

export function jsonLogger(options: JsonLoggerOptions = {}): Logger {
  const envLevel = process.env.LOG_LEVEL?.toLowerCase();
  const min = ORDER[options.level ?? (isLevel(envLevel) ? envLevel : 'info')];
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (ORDER[level] < min) return;
      write(
        JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields }, errorReplacer),
      );
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
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

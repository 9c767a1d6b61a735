/**
 * The log port: what a use case tells the operator while it works (one structured line per fact:
 * a message and its fields). The Lambda handlers implement it with functions/handlers/log.ts; the
 * CLI prints summaries instead and passes none.
 */
export type LogFields = Record<string, unknown>;

export interface Log {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

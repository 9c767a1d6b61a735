/**
 * Use case: the digest of one period (CLI `servicepulse digest`, the digest Lambda).
 *
 * Primary course:
 *  1. read the kpi_results rows of the grain for the digest window (the trend, or longer when a
 *     target's `consecutive` needs it);
 *  2. count the records per source and `dt` for the period and its 14 predecessors (freshness);
 *  3. evaluate every row of the period against its target and build the digest model;
 *  4. replace the period's kpi_flags rows (DELETE the period, then INSERT in chunks);
 *  5. render one message per language group of recipients (charts drawn once), build the raw MIME;
 *  6. file every message in the outbox, and deliver it when a delivery is given.
 *
 * All SQL is plain Trino that DuckDB also runs: SELECT with CAST, DELETE, INSERT … VALUES, literals
 * from sql/render.ts. Re-running a digest for the same period and as-of time writes the same flags
 * and the same bytes.
 */
import { type Grain, KPI_IDS } from '../catalog.ts';
import { type Config, LANGUAGES, type Lang } from '../config.ts';
import type { MailDelivery, QueryEngine, SqlRow, SqlValue } from '../ports.ts';
import { KPI_FLAGS_COLUMNS } from '../results.ts';
import {
  type Period,
  periodOf,
  sqlDate,
  sqlDouble,
  sqlIdentifier,
  sqlString,
  sqlTimestamp,
} from '../sql/render.ts';
import { summaryText } from './describe.ts';
import {
  assessFreshness,
  freshnessWindow,
  type SourceCount,
  type SourceGap,
  sourcesOfGrain,
} from './freshness.ts';
import { composeDigest, digestName, formatRecipient, renderCharts } from './message.ts';
import { addressDomain, buildMime } from './mime.ts';
import {
  buildDigestModel,
  type DigestModel,
  type DigestSummary,
  digestWindow,
  type KpiFlagRow,
  type ResultPoint,
} from './model.ts';

export interface DigestRequest {
  /** Athena in AWS, DuckDB locally. */
  engine: QueryEngine;
  /** Schema (Glue database) holding kpi_results and kpi_flags. */
  resultsSchema: string;
  /** Schema (Glue database) of the curated lake tables (one per entity, partitioned by `dt`). */
  lakeSchema: string;
  config: Config;
  grain: Grain;
  /** Any day of the period, YYYY-MM-DD in the reporting zone. */
  date: string;
  /** One language for every recipient; default: each recipient's own (`digest.recipients[].lang`). */
  lang?: Lang;
  /** Evaluation instant, ISO-8601 (flags' evaluated_at, the Date header, the footer). */
  asOf: string;
  /** Delivers each message (SMTP, SES); omitted: the outbox only. */
  deliver?: MailDelivery;
  /** Files every message (always). */
  outbox: MailDelivery;
}

export interface DigestMessageReport {
  lang: Lang;
  /** Address header entries; empty when no recipients are configured. */
  to: string[];
  subject: string;
  /** `2024-03-20-day-en`: the outbox file stem. */
  name: string;
  htmlBytes: number;
  rawBytes: number;
  charts: number;
  /** Where the outbox filed it (its .eml). */
  filed: string;
  /** What the delivery returned (a message id), when delivered. */
  delivered?: string;
}

export interface DigestResult {
  grain: Grain;
  period: Period;
  summary: DigestSummary;
  /** The summary in English ("3 of 47 KPIs off target"). */
  summaryLine: string;
  gaps: SourceGap[];
  flagsWritten: number;
  messages: DigestMessageReport[];
  model: DigestModel;
}

/** A digest that cannot be delivered as asked (the outbox has it all the same). */
export class DigestError extends Error {
  override name = 'DigestError';
}

/** Longest INSERT statement text; Athena's limit is 256 KB per query string. */
const MAX_STATEMENT_CHARS = 200_000;

function num(v: SqlValue | undefined): number | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function str(v: SqlValue | undefined): string {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return v === null || v === undefined ? '' : String(v);
}

/** SELECT of the kpi_results rows of a grain between two period starts. */
export function resultsQuery(resultsSchema: string, grain: Grain, from: string, to: string): string {
  return `SELECT kpi_id, CAST(period_start AS VARCHAR) AS period_start, dimension, dimension_value, value, sample_size
FROM ${sqlIdentifier(resultsSchema)}.kpi_results
WHERE grain = ${sqlString(grain)}
  AND period_start BETWEEN ${sqlDate(from)} AND ${sqlDate(to)}
  AND kpi_id IN (${KPI_IDS.map(sqlString).join(', ')})`;
}

/** Records per entity and `dt` partition between two days. */
export function freshnessQuery(
  lakeSchema: string,
  entities: readonly string[],
  from: string,
  to: string,
): string {
  return entities
    .map(
      (e) =>
        `SELECT ${sqlString(e)} AS entity, CAST(dt AS VARCHAR) AS dt, count(*) AS n FROM ${sqlIdentifier(lakeSchema)}.${sqlIdentifier(e)} WHERE dt BETWEEN ${sqlDate(from)} AND ${sqlDate(to)} GROUP BY dt`,
    )
    .join('\nUNION ALL\n');
}

function flagLiteral(type: string, v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  switch (type) {
    case 'string':
      return sqlString(String(v));
    case 'date':
      return sqlDate(String(v));
    case 'timestamp':
      return sqlTimestamp(String(v));
    case 'double':
      return sqlDouble(Number(v));
    case 'integer':
    case 'bigint':
      return String(Math.trunc(Number(v)));
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      throw new Error(`kpi_flags: no literal for column type ${type}`);
  }
}

/** The statements that replace a period's kpi_flags rows: one DELETE, then INSERTs in chunks. */
export function flagStatements(
  resultsSchema: string,
  grain: Grain,
  period: Period,
  flags: readonly KpiFlagRow[],
): string[] {
  const table = `${sqlIdentifier(resultsSchema)}.kpi_flags`;
  const out = [
    `DELETE FROM ${table} WHERE grain = ${sqlString(grain)} AND period_start = ${sqlDate(period.start)}`,
  ];
  const head = `INSERT INTO ${table} (${KPI_FLAGS_COLUMNS.map((c) => c.name).join(', ')}) VALUES\n`;
  let values: string[] = [];
  let size = head.length;
  for (const f of flags) {
    const row = `(${KPI_FLAGS_COLUMNS.map((c) => flagLiteral(c.type, (f as unknown as Record<string, unknown>)[c.name])).join(', ')})`;
    if (values.length > 0 && size + row.length + 2 > MAX_STATEMENT_CHARS) {
      out.push(head + values.join(',\n'));
      values = [];
      size = head.length;
    }
    values.push(row);
    size += row.length + 2;
  }
  if (values.length > 0) out.push(head + values.join(',\n'));
  return out;
}

/** Recipients grouped by language; `lang` puts everyone in one group; none → one unaddressed message. */
export function languageGroups(config: Config, lang?: Lang): { lang: Lang; to: string[] }[] {
  const recipients = config.digest.recipients;
  if (recipients.length === 0) return [{ lang: lang ?? 'en', to: [] }];
  if (lang) return [{ lang, to: recipients.map(formatRecipient) }];
  return LANGUAGES.map((l) => ({
    lang: l,
    to: recipients.filter((r) => r.lang === l).map(formatRecipient),
  })).filter((g) => g.to.length > 0);
}

/** The kpi_results rows of the grain from the window's first period to `period`. */
async function readResults(
  req: DigestRequest,
  periods: readonly Period[],
  period: Period,
): Promise<ResultPoint[]> {
  const rows = await req.engine.query(
    resultsQuery(req.resultsSchema, req.grain, periods[0]!.start, period.start),
  );
  return rows.map((r: SqlRow) => ({
    kpi_id: str(r.kpi_id),
    period_start: str(r.period_start).slice(0, 10),
    dimension: str(r.dimension),
    dimension_value: str(r.dimension_value),
    value: num(r.value),
    sample_size: num(r.sample_size),
  }));
}

/** The sources missing in the period, from the lake's records per `dt` (none asked on a day off). */
async function readFreshness(req: DigestRequest, period: Period): Promise<SourceGap[]> {
  const fw = freshnessWindow(req.grain, period, req.config.workWeek);
  const sources = sourcesOfGrain(req.grain);
  if (!fw.check || sources.length === 0) return [];
  const rows = await req.engine.query(freshnessQuery(req.lakeSchema, sources, fw.from, fw.to));
  const counts: SourceCount[] = rows.map((r) => ({
    entity: str(r.entity),
    dt: str(r.dt).slice(0, 10),
    n: num(r.n) ?? 0,
  }));
  return assessFreshness(fw, sources, counts);
}

/** Renders, files and (when a delivery is given) delivers one language group's message. */
async function sendGroup(
  req: DigestRequest,
  model: DigestModel,
  charts: ReturnType<typeof renderCharts>,
  group: { lang: Lang; to: string[] },
): Promise<DigestMessageReport> {
  const { config, asOf } = req;
  const message = composeDigest(model, { lang: group.lang, from: config.digest.from, to: group.to, charts });
  const name = digestName(model, group.lang);
  const stamp = new Date(asOf).toISOString().replace(/[-:.]/g, '').toLowerCase();
  const messageId = `digest-${name}-${stamp}@${addressDomain(config.digest.from)}`;
  const raw = await buildMime(message, { date: asOf, messageId });
  const filed = await req.outbox.deliver(message, raw);
  const report: DigestMessageReport = {
    lang: group.lang,
    to: group.to,
    subject: message.subject,
    name,
    htmlBytes: new TextEncoder().encode(message.html).byteLength,
    rawBytes: raw.byteLength,
    charts: message.inline.length,
    filed,
  };
  if (req.deliver && group.to.length > 0) report.delivered = await req.deliver.deliver(message, raw);
  return report;
}

/**
 * One message per language group (charts drawn once), each filed and delivered in turn; with a
 * delivery, a group without recipients is a {@link DigestError} once every message is filed.
 */
async function sendDigests(req: DigestRequest, model: DigestModel): Promise<DigestMessageReport[]> {
  const charts = renderCharts(model);
  const messages: DigestMessageReport[] = [];
  for (const group of languageGroups(req.config, req.lang))
    messages.push(await sendGroup(req, model, charts, group));
  const undeliverable = req.deliver ? messages.filter((m) => m.to.length === 0).map((m) => m.name) : [];
  if (undeliverable.length > 0) {
    throw new DigestError(
      `no recipients configured (digest.recipients): ${undeliverable.join(', ')} written to the outbox but not sent`,
    );
  }
  return messages;
}

/** Runs the digest of one period: evaluates, writes kpi_flags, renders, files and delivers. */
export async function runDigest(req: DigestRequest): Promise<DigestResult> {
  const { engine, config, grain, asOf } = req;
  if (Number.isNaN(new Date(asOf).getTime())) throw new Error(`asOf is not an ISO-8601 instant: ${asOf}`);
  const period = periodOf(grain, req.date);
  sqlDate(period.start);

  // 1–2. kpi_results of the window; freshness of the sources
  const { periods } = digestWindow(grain, period, config);
  const rows = await readResults(req, periods, period);
  const gaps = await readFreshness(req, period);

  // 3. evaluate and model
  const model = buildDigestModel({ grain, date: period.start, asOf, config, rows, gaps });

  // 4. kpi_flags
  for (const sql of flagStatements(req.resultsSchema, grain, period, model.flags)) await engine.query(sql);

  // 5–6. one message per language group
  const messages = await sendDigests(req, model);
  return {
    grain,
    period,
    summary: model.summary,
    summaryLine: summaryText(model, 'en'),
    gaps,
    flagsWritten: model.flags.length,
    messages,
    model,
  };
}

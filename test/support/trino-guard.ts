/**
 * The Trino guard: static checks that keep queries/ valid for Athena engine version 3 even though the
 * tests run it on DuckDB, which accepts more than Athena does.
 *
 * {@link checkStatement} reports
 * - `syntax`: what dt-sql-parser's Trino grammar (TrinoSQL) rejects, e.g. DuckDB's `x::int`, QUALIFY, ILIKE;
 * - `function`: a call (aggregate, window, scalar, or a special form such as GROUPING or EXTRACT) whose
 *   name is not in {@link ATHENA_ENGINE3_FUNCTIONS};
 * - `type`: a CAST or typed literal naming a type outside {@link ATHENA_ENGINE3_TYPES} (TIMESTAMPTZ, …);
 * - `integer-division`: a `/` whose operands are not provably non-integer. Trino truncates `7 / 2` to 3,
 *   DuckDB gives 3.5, so a local test cannot see the bug; the convention in queries/ is to CAST one side
 *   AS DOUBLE, and a division the inference below cannot prove safe is an error;
 * - `decimal-literal` (warning): a decimal literal such as `100.0` in a division's arithmetic. In Trino
 *   `1.0` is DECIMAL(2,1): it avoids truncation but fixes the result's scale (`1.0 / 3` is 0.3);
 * - `naive-at-time-zone`: AT TIME ZONE on a TIMESTAMP literal or a CAST to TIMESTAMP. Athena reads the
 *   plain timestamp as UTC (the session zone) and converts it; DuckDB reads it as wall-clock time in the
 *   target zone. Lake columns are safe (TIMESTAMPTZ in DuckDB, see docs/sql-compat.md);
 * - `unnest`: an UNNEST other than `UNNEST(ARRAY[ROW(…), …]) AS t (c1, …)`, or `UNNEST(x.col)` where
 *   `col` is the statement's one alias of such an ARRAY[ROW(…), …], with one column alias per row
 *   field and no WITH ORDINALITY. An array of rows is what the DuckDB compatibility macro `unnest`
 *   gives Trino's result for (one column per row field); others (several arrays, arrays of arrays)
 *   differ.
 *
 * The type inference is deliberately small: literals; CAST; a table of function result types
 * (count/count_if/date_diff/row_number/rank → integer, avg → double, sum/min/max/nullif/abs → type of
 * the first argument, coalesce/greatest/least/CASE/IF → the common type of the branches that are known,
 * as Trino coerces them); arithmetic (double wins over decimal wins over integer); and column
 * references, resolved by name through the statement's own select items (`expr AS alias`, iterated to
 * a fixpoint), the columns of an UNNEST of rows (the common type of the field over the rows, as Trino
 * coerces array elements) and the curated lake columns of the entities the statement reads (contract kind integer →
 * integer, number → double). A name defined with different known types in one statement is unknown,
 * and unknown is never proof.
 */
import { TrinoSQL, TrinoSqlListener, TrinoSqlVisitor } from 'dt-sql-parser';
import {
  type ColumnKind,
  curatedColumns,
  ENTITIES,
  type Entity,
  isEntity,
} from '../../functions/core/contracts.ts';
import { ATHENA_ENGINE3_FUNCTIONS, ATHENA_ENGINE3_TYPES } from './athena-functions.ts';

export type GuardRule =
  | 'syntax'
  | 'function'
  | 'type'
  | 'integer-division'
  | 'decimal-literal'
  | 'naive-at-time-zone'
  | 'unnest';

export interface GuardFinding {
  rule: GuardRule;
  severity: 'error' | 'warning';
  /** 1-based position in the statement text. */
  line: number;
  column: number;
  /** The offending text (the whole division, the call, the literal, or the token). */
  text: string;
  message: string;
}

export type SqlType =
  | 'integer'
  | 'decimal'
  | 'double'
  | 'boolean'
  | 'string'
  | 'date'
  | 'timestamp'
  | 'interval'
  | 'unknown';

export interface GuardOptions {
  /**
   * Types of table columns by (lower-case) name, besides the statement's aliases; default: the curated
   * lake columns of the entities the statement reads (`FROM <schema>.<entity>`).
   */
  columns?: ReadonlyMap<string, SqlType>;
}

/**
 * The inference's own elements below every type: `null` is the NULL literal's (it takes the type of
 * what it is combined with, as Trino coerces it); `pending` is an alias name resolution has not typed
 * yet (anything computed from it is pending too). Both are reported as unknown. 'unknown' is the top:
 * it cannot be proved, and combining with it stays unknown.
 */
type Inferred = SqlType | 'null' | 'pending';

// ── parse-tree node types, taken from the public listener's and visitor's signatures ────────────────
type Ctx<K extends keyof TrinoSqlListener> = Parameters<NonNullable<TrinoSqlListener[K]>>[0];
type ExpressionCtx = Ctx<'enterExpression'>;
type FunctionCallCtx = Ctx<'enterFunctionCall'>;
type ArithmeticBinaryCtx = Ctx<'enterArithmeticBinary'>;
type TypeCtx = ReturnType<Ctx<'enterCast'>['type']>;
type UnnestCtx = Ctx<'enterUnnest'>;
type ParseTree = Parameters<TrinoSqlVisitor<SqlType>['visit']>[0];
type RuleNode = Parameters<TrinoSqlVisitor<SqlType>['visitChildren']>[0];
/** A rule node as the checks see it: its tokens and children. */
type TreeNode = Ctx<'enterEveryRule'>;

// ── lake columns ─────────────────────────────────────────────────────────────────────────────────
const KIND_TYPES: Record<ColumnKind, SqlType> = {
  string: 'string',
  timestamp: 'timestamp',
  date: 'date',
  integer: 'integer',
  number: 'double',
  boolean: 'boolean',
};

/**
 * The curated lake's columns by name (plus the `dt` partition), of the given entities (default: all);
 * a name two entities type differently is unknown.
 */
export function lakeColumnTypes(entities: readonly Entity[] = ENTITIES): Map<string, SqlType> {
  const out = new Map<string, SqlType>([['dt', 'date']]);
  for (const entity of entities) {
    for (const c of curatedColumns(entity)) {
      const t = KIND_TYPES[c.kind];
      const seen = out.get(c.name);
      out.set(c.name, seen === undefined || seen === t ? t : 'unknown');
    }
  }
  return out;
}

// ── function result types ────────────────────────────────────────────────────────────────────────
const INTEGER_FUNCTIONS = new Set([
  'count',
  'count_if',
  'approx_distinct',
  'date_diff',
  'row_number',
  'rank',
  'dense_rank',
  'ntile',
  'length',
  'strpos',
  'position',
  'cardinality',
  'year',
  'quarter',
  'month',
  'week',
  'week_of_year',
  'day',
  'day_of_month',
  'day_of_week',
  'dow',
  'day_of_year',
  'doy',
  'hour',
  'minute',
  'second',
  'millisecond',
  'year_of_week',
  'yow',
  'extract',
  'grouping',
  'bit_count',
]);
const DOUBLE_FUNCTIONS = new Set([
  'avg',
  'stddev',
  'stddev_pop',
  'stddev_samp',
  'variance',
  'var_pop',
  'var_samp',
  'corr',
  'covar_pop',
  'covar_samp',
  'regr_slope',
  'regr_intercept',
  'geometric_mean',
  'kurtosis',
  'skewness',
  'percent_rank',
  'cume_dist',
  'sqrt',
  'cbrt',
  'exp',
  'ln',
  'log',
  'log2',
  'log10',
  'pow',
  'power',
  'pi',
  'e',
  'radians',
  'degrees',
  'to_unixtime',
  'infinity',
  'nan',
]);
/** Result has the type of the first argument. */
const FIRST_ARGUMENT_FUNCTIONS = new Set([
  'sum',
  'min',
  'max',
  'nullif',
  'abs',
  'arbitrary',
  'max_by',
  'min_by',
  'lag',
  'lead',
  'first_value',
  'last_value',
  'nth_value',
  'round',
  'floor',
  'ceil',
  'ceiling',
  'truncate',
  'sign',
]);
/** Result has the common type of all (known) arguments. */
const COMMON_TYPE_FUNCTIONS = new Set(['coalesce', 'greatest', 'least']);
const STRING_FUNCTIONS = new Set([
  'concat',
  'concat_ws',
  'lower',
  'upper',
  'substr',
  'substring',
  'trim',
  'ltrim',
  'rtrim',
  'replace',
  'lpad',
  'rpad',
  'format',
  'date_format',
  'format_datetime',
  'to_iso8601',
  'split_part',
  'regexp_extract',
  'regexp_replace',
  'json_extract_scalar',
  'listagg',
  'typeof',
]);
const BOOLEAN_FUNCTIONS = new Set([
  'regexp_like',
  'starts_with',
  'contains',
  'is_nan',
  'is_finite',
  'is_infinite',
  'bool_and',
  'bool_or',
  'every',
]);
const DATE_FUNCTIONS = new Set(['date', 'from_iso8601_date', 'last_day_of_month']);
const TIMESTAMP_FUNCTIONS = new Set([
  'from_iso8601_timestamp',
  'from_unixtime',
  'date_parse',
  'parse_datetime',
  'now',
  'at_timezone',
  'with_timezone',
]);

const NUMERIC_RANK: Partial<Record<SqlType, number>> = { integer: 1, decimal: 2, double: 3 };

/** The common super type of two types, as Trino coerces CASE branches; NULL adds nothing. */
function commonType(a: Inferred, b: Inferred): Inferred {
  if (a === 'pending' || b === 'pending') return 'pending';
  if (a === 'null') return b;
  if (b === 'null' || a === b) return a;
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  const ra = NUMERIC_RANK[a];
  const rb = NUMERIC_RANK[b];
  if (ra !== undefined && rb !== undefined) return ra > rb ? a : b;
  return 'unknown';
}

/** The result of `a op b` for + - * / %. */
function arithmeticType(a: Inferred, b: Inferred): Inferred {
  const temporal = new Set<Inferred>(['date', 'timestamp', 'interval']);
  if (temporal.has(a) || temporal.has(b)) return 'unknown';
  if (a === 'double' || b === 'double') return 'double';
  // decimal with a number of any kind is decimal or double: never an integer.
  if (a === 'decimal' || b === 'decimal') return 'decimal';
  if (a === 'pending' || b === 'pending') return 'pending';
  if (a === 'null') return b;
  if (b === 'null') return a;
  if (a === 'integer' && b === 'integer') return 'integer';
  return 'unknown';
}

function typeOfTypeName(base: string): Inferred {
  switch (base) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'int':
    case 'bigint':
      return 'integer';
    case 'real':
    case 'double':
      return 'double';
    case 'decimal':
      return 'decimal';
    case 'varchar':
    case 'char':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'timestamp':
      return 'timestamp';
    case 'interval':
      return 'interval';
    default:
      return 'unknown';
  }
}

function typeBaseName(typeCtx: TypeCtx | null | undefined): string {
  return (typeCtx?.start?.text ?? '').replace(/^"|"$/g, '').toLowerCase();
}

function identifierName(text: string): string {
  return text.replace(/^"(.*)"$/, '$1').toLowerCase();
}

/** The last part of a dotted column name (`m.created` → created). */
function lastName(qualified: string): string {
  const parts = qualified.split('.');
  return identifierName(parts[parts.length - 1] ?? qualified);
}

// ── type inference ───────────────────────────────────────────────────────────────────────────────
/** Infers the type of an expression node, given the types of names (absent: unknown). */
class TypeInference extends TrinoSqlVisitor<Inferred> {
  constructor(private readonly names: ReadonlyMap<string, Inferred>) {
    super();
  }

  /** The type for the checks: NULL and pending are unknown. */
  typeOf(node: ParseTree | null | undefined): SqlType {
    const t = this.of(node);
    return t === 'null' || t === 'pending' ? 'unknown' : t;
  }

  of(node: ParseTree | null | undefined): Inferred {
    return node ? (this.visit(node) ?? 'unknown') : 'unknown';
  }

  protected override defaultResult(): Inferred {
    return 'unknown';
  }

  /** Wrapper rules with one child pass its type through; anything else not handled is unknown. */
  override visitChildren(node: RuleNode): Inferred {
    const child = node.getChildCount() === 1 ? node.getChild(0) : null;
    return child ? this.of(child) : 'unknown';
  }

  private name(qualified: string): Inferred {
    return this.names.get(lastName(qualified)) ?? 'unknown';
  }

  private branches(whens: readonly Ctx<'enterWhenClause'>[], otherwise: ExpressionCtx | undefined): Inferred {
    const types = whens.map((w) => this.of(w._result ?? w.expression(1)));
    if (otherwise) types.push(this.of(otherwise));
    return types.reduce(commonType, 'null');
  }

  override visitPredicated = (ctx: Ctx<'enterPredicated'>): Inferred =>
    ctx.predicate() ? 'boolean' : this.of(ctx.valueExpression());
  override visitLogicalNot = (): Inferred => 'boolean';
  override visitAnd = (): Inferred => 'boolean';
  override visitOr = (): Inferred => 'boolean';
  override visitExists = (): Inferred => 'boolean';
  override visitBooleanLiteral = (): Inferred => 'boolean';
  override visitNullLiteral = (): Inferred => 'null';
  override visitStringLiteral = (): Inferred => 'string';
  override visitConcatenation = (): Inferred => 'string';
  override visitIntegerLiteral = (): Inferred => 'integer';
  override visitDecimalLiteral = (): Inferred => 'decimal';
  override visitDoubleLiteral = (): Inferred => 'double';
  override visitIntervalLiteral = (): Inferred => 'interval';
  override visitCurrentDate = (): Inferred => 'date';
  override visitCurrentTimestamp = (): Inferred => 'timestamp';
  override visitLocalTimestamp = (): Inferred => 'timestamp';
  override visitAtTimeZone = (): Inferred => 'timestamp';
  override visitExtract = (): Inferred => 'integer';
  override visitGroupingOperation = (): Inferred => 'integer';
  override visitPosition = (): Inferred => 'integer';
  override visitSubstring = (): Inferred => 'string';
  override visitTrim = (): Inferred => 'string';
  override visitArithmeticUnary = (ctx: Ctx<'enterArithmeticUnary'>): Inferred =>
    this.of(ctx.valueExpression());
  override visitArithmeticBinary = (ctx: ArithmeticBinaryCtx): Inferred =>
    arithmeticType(this.of(ctx.valueExpression(0)), this.of(ctx.valueExpression(1)));
  override visitParenthesizedExpression = (ctx: Ctx<'enterParenthesizedExpression'>): Inferred =>
    this.of(ctx.expression());
  override visitCast = (ctx: Ctx<'enterCast'>): Inferred => typeOfTypeName(typeBaseName(ctx.type()));
  override visitTypeConstructor = (ctx: Ctx<'enterTypeConstructor'>): Inferred =>
    typeOfTypeName(ctx.KW_DOUBLE() ? 'double' : identifierName(ctx.identifier()?.getText() ?? ''));
  override visitColumnReference = (ctx: Ctx<'enterColumnReference'>): Inferred => this.name(ctx.getText());
  override visitDereference = (ctx: Ctx<'enterDereference'>): Inferred =>
    this.name(ctx.identifier().getText());
  override visitCoalesce = (ctx: Ctx<'enterCoalesce'>): Inferred =>
    ctx
      .expression()
      .map((e) => this.of(e))
      .reduce(commonType, 'null');
  override visitSimpleCase = (ctx: Ctx<'enterSimpleCase'>): Inferred =>
    this.branches(ctx.whenClause(), ctx._elseExpression);
  override visitSearchedCase = (ctx: Ctx<'enterSearchedCase'>): Inferred =>
    this.branches(ctx.whenClause(), ctx._elseExpression);
  override visitFunctionCall = (ctx: FunctionCallCtx): Inferred =>
    functionType(
      identifierName(ctx.functionName().getText()),
      ctx.expression().map((e) => this.of(e)),
    );
}

function functionType(name: string, args: readonly Inferred[]): Inferred {
  if (INTEGER_FUNCTIONS.has(name)) return 'integer';
  if (DOUBLE_FUNCTIONS.has(name)) return 'double';
  if (FIRST_ARGUMENT_FUNCTIONS.has(name)) return args[0] ?? 'unknown';
  if (COMMON_TYPE_FUNCTIONS.has(name)) return args.reduce(commonType, 'null');
  if (name === 'if') return args.slice(1).reduce(commonType, 'null');
  if (name === 'date_trunc') return args[1] ?? 'unknown';
  if (name === 'date_add') return args[2] ?? 'unknown';
  if (STRING_FUNCTIONS.has(name)) return 'string';
  if (BOOLEAN_FUNCTIONS.has(name)) return 'boolean';
  if (DATE_FUNCTIONS.has(name)) return 'date';
  if (TIMESTAMP_FUNCTIONS.has(name)) return 'timestamp';
  return 'unknown';
}

// ── UNNEST of an array of rows ───────────────────────────────────────────────────────────────────
/** Rules an expression passes through on its way to a primary expression (`ARRAY[…]`, `ROW(…)`). */
const EXPRESSION_WRAPPERS = new Set([
  'ExpressionContext',
  'PredicatedContext',
  'ValueExpressionDefaultContext',
]);

/** The node under single-child wrapper rules: `ARRAY[…]` is an expression of one primary expression. */
function primaryOf(node: TreeNode): TreeNode {
  let n = node;
  while (
    EXPRESSION_WRAPPERS.has(n.constructor.name) &&
    n.children?.length === 1 &&
    'children' in n.children[0]!
  )
    n = n.children[0] as TreeNode;
  return n;
}

/** The ARRAY[…] an UNNEST argument is: written in place, or the one select alias a column names. */
function arrayOf(arg: TreeNode, aliases: readonly SelectAlias[]): TreeNode | string {
  const node = primaryOf(arg);
  const kind = node.constructor.name;
  if (kind === 'ArrayConstructorContext') return node;
  if (kind !== 'ColumnReferenceContext' && kind !== 'DereferenceContext')
    return 'not an ARRAY[...] constructor or a column';
  const name = lastName(node.getText());
  const definitions = aliases.filter((a) => a.name === name);
  const array = definitions.length === 1 ? definitions[0]!.expressions[0] : undefined;
  if (array && primaryOf(array).constructor.name === 'ArrayConstructorContext') return primaryOf(array);
  return `a column (${name}) that is not the one alias of an ARRAY[...] constructor`;
}

/**
 * `UNNEST(ARRAY[ROW(a1, b1), ROW(a2, b2)]) AS t (a, b)`, the array written in place or as the
 * column of a select alias: its column names and each row's fields; or, for any other form, what
 * differs from it.
 */
function unnestOfRows(
  ctx: UnnestCtx,
  aliases: readonly SelectAlias[],
): { names: string[]; rows: ExpressionCtx[][] } | string {
  if (ctx.KW_ORDINALITY()) return 'WITH ORDINALITY';
  const args = ctx.expression();
  if (args.length !== 1) return `${args.length} arrays`;
  const array = arrayOf(args[0]!, aliases);
  if (typeof array === 'string') return array;
  const elements = (array as Ctx<'enterArrayConstructor'>).expression().map((e) => primaryOf(e));
  const rows = elements.filter(
    (e) => e.constructor.name === 'RowConstructorContext',
  ) as Ctx<'enterRowConstructor'>[];
  if (rows.length === 0 || rows.length !== elements.length || rows.some((r) => !r.KW_ROW()))
    return 'an element that is not ROW(...)';
  // Unnest → ExpressionSourceTable → AliasedRelation, which holds `AS t (a, b)`.
  const aliased = ctx.parent?.parent;
  const columns =
    aliased?.constructor.name === 'AliasedRelationContext'
      ? (aliased as Ctx<'enterAliasedRelation'>).columnAliases()?.identifier()
      : undefined;
  const names = (columns ?? []).map((c) => identifierName(c.getText()));
  const fields = rows.map((r) => r.expression());
  if (fields.some((f) => f.length !== names.length))
    return `${names.length} column aliases for rows of ${fields.map((f) => f.length).join('/')} fields`;
  return { names, rows: fields };
}

// ── the listener that collects what the checks need ──────────────────────────────────────────────
interface SelectAlias {
  name: string;
  /** The aliased expression (`expr AS y`), or an UNNEST column's field in every row (common type) … */
  expressions: ExpressionCtx[];
  /** … or, for `x.col AS y`, the referenced column. */
  reference: string | null;
}

class Collector extends TrinoSqlListener {
  readonly aliases: SelectAlias[] = [];
  /** Function calls and special forms (GROUPING, EXTRACT, …) by lower-case name. */
  readonly calls: { name: string; node: TreeNode }[] = [];
  /** CAST target types and typed literals by base name. */
  readonly types: { name: string; node: TreeNode }[] = [];
  readonly divisions: ArithmeticBinaryCtx[] = [];
  readonly atTimeZone: Ctx<'enterAtTimeZone'>[] = [];
  readonly unnests: UnnestCtx[] = [];
  /** UNNESTs not of the one form the DuckDB macro reproduces, with the reason (see resolveUnnests). */
  readonly badUnnests: { node: UnnestCtx; why: string }[] = [];
  /** Entities of the curated lake the statement reads. */
  readonly entities = new Set<Entity>();

  private call(name: string, node: TreeNode): void {
    this.calls.push({ name, node });
  }

  override enterSelectItem = (ctx: Ctx<'enterSelectItem'>): void => {
    const alias = ctx._alias ?? ctx.identifier();
    if (!alias) return;
    const expression = ctx.selectExpressionColumnName()?.expression();
    this.aliases.push({
      name: identifierName(alias.getText()),
      expressions: expression ? [expression] : [],
      reference: ctx.selectLiteralColumnName()?.columnRef().getText() ?? null,
    });
  };
  override enterUnnest = (ctx: UnnestCtx): void => {
    this.unnests.push(ctx);
  };

  /**
   * After the walk (an UNNEST may name an alias defined later in the text): each UNNEST of rows adds
   * its columns as aliases, typed by the fields over all rows; any other form is reported.
   */
  resolveUnnests(): void {
    const selectAliases = [...this.aliases];
    for (const ctx of this.unnests) {
      const form = unnestOfRows(ctx, selectAliases);
      if (typeof form === 'string') {
        this.badUnnests.push({ node: ctx, why: form });
        continue;
      }
      form.names.forEach((name, i) => {
        this.aliases.push({ name, expressions: form.rows.map((r) => r[i]!), reference: null });
      });
    }
  }
  override enterFunctionCall = (ctx: FunctionCallCtx): void =>
    this.call(identifierName(ctx.functionName().getText()), ctx);
  override enterGroupingOperation = (ctx: Ctx<'enterGroupingOperation'>): void => this.call('grouping', ctx);
  override enterExtract = (ctx: Ctx<'enterExtract'>): void => this.call('extract', ctx);
  override enterSubstring = (ctx: Ctx<'enterSubstring'>): void => this.call('substring', ctx);
  override enterTrim = (ctx: Ctx<'enterTrim'>): void => this.call('trim', ctx);
  override enterPosition = (ctx: Ctx<'enterPosition'>): void => this.call('position', ctx);
  override enterNormalize = (ctx: Ctx<'enterNormalize'>): void => this.call('normalize', ctx);
  override enterListAgg = (ctx: Ctx<'enterListAgg'>): void => this.call('listagg', ctx);
  override enterCoalesce = (ctx: Ctx<'enterCoalesce'>): void => this.call('coalesce', ctx);
  override enterJsonValue = (ctx: Ctx<'enterJsonValue'>): void => this.call('json_value', ctx);
  override enterJsonQuery = (ctx: Ctx<'enterJsonQuery'>): void => this.call('json_query', ctx);
  override enterJsonExists = (ctx: Ctx<'enterJsonExists'>): void => this.call('json_exists', ctx);
  override enterJsonObject = (ctx: Ctx<'enterJsonObject'>): void => this.call('json_object', ctx);
  override enterJsonArray = (ctx: Ctx<'enterJsonArray'>): void => this.call('json_array', ctx);
  override enterCast = (ctx: Ctx<'enterCast'>): void => {
    this.types.push({ name: typeBaseName(ctx.type()), node: ctx.type() });
  };
  override enterTypeConstructor = (ctx: Ctx<'enterTypeConstructor'>): void => {
    this.types.push({
      name: ctx.KW_DOUBLE() ? 'double' : identifierName(ctx.identifier()?.getText() ?? ''),
      node: ctx,
    });
  };
  override enterArithmeticBinary = (ctx: ArithmeticBinaryCtx): void => {
    if (ctx.SLASH()) this.divisions.push(ctx);
  };
  override enterTableRef = (ctx: Ctx<'enterTableRef'>): void => {
    const parts = ctx.identifier();
    const table = identifierName(parts[parts.length - 1]?.getText() ?? '');
    if (isEntity(table)) this.entities.add(table);
  };
  override enterAtTimeZone = (ctx: Ctx<'enterAtTimeZone'>): void => {
    this.atTimeZone.push(ctx);
  };
}

// ── the checks ───────────────────────────────────────────────────────────────────────────────────
function textOf(sql: string, node: TreeNode): string {
  const start = node.start?.start ?? 0;
  const stop = node.stop?.stop ?? start;
  return sql.slice(start, stop + 1);
}

function at(node: TreeNode): { line: number; column: number } {
  return { line: node.start?.line ?? 1, column: (node.start?.column ?? 0) + 1 };
}

/**
 * Types by name: the statement's aliases, inferred round after round from "pending" until no type
 * changes (an alias may use another, or itself: `CASE … ELSE numerator END AS numerator`), and the
 * table columns. A pending or NULL definition adds nothing; definitions of different known types (an
 * alias of two CTEs, or an alias shadowing a column) make the name unknown: which one `m.x` means is
 * not resolved.
 */
function resolveNames(
  aliases: readonly SelectAlias[],
  columns: ReadonlyMap<string, SqlType>,
): Map<string, Inferred> {
  const adds = (t: Inferred) => t !== 'pending' && t !== 'null';
  const merge = (a: Inferred, b: Inferred): Inferred => (!adds(a) ? b : !adds(b) || a === b ? a : 'unknown');
  let names = new Map<string, Inferred>(columns);
  for (const a of aliases) names.set(a.name, 'pending');
  for (let round = 0; round < 100; round++) {
    const inference = new TypeInference(names);
    const next = new Map<string, Inferred>(columns);
    for (const a of aliases) {
      const t =
        a.expressions.length > 0
          ? a.expressions.map((e) => inference.of(e)).reduce(commonType, 'null')
          : (names.get(lastName(a.reference ?? '')) ?? 'unknown');
      next.set(a.name, merge(next.get(a.name) ?? 'pending', t));
    }
    const stable = [...next].every(([k, v]) => names.get(k) === v);
    names = next;
    if (stable) break;
  }
  return names;
}

/** Rules an operand's arithmetic passes through (not into calls, CASE or comparisons). */
const ARITHMETIC_PATH = new Set([
  'ExpressionContext',
  'PredicatedContext',
  'ValueExpressionDefaultContext',
  'ArithmeticBinaryContext',
  'ArithmeticUnaryContext',
  'ParenthesizedExpressionContext',
  'NumericLiteralContext',
]);

/** Decimal literals on the arithmetic path of an operand: `100.0 * a` in `100.0 * a / b`. */
function decimalLiterals(node: TreeNode, out: TreeNode[]): void {
  const kind = node.constructor.name;
  if (kind === 'DecimalLiteralContext') {
    out.push(node);
    return;
  }
  if (!ARITHMETIC_PATH.has(kind)) return;
  for (const child of node.children ?? []) {
    if ('children' in child) decimalLiterals(child as TreeNode, out);
  }
}

const isNonInteger = (t: SqlType): boolean => t === 'double' || t === 'decimal';

/** Whether an operand is, through parentheses, a TIMESTAMP literal or a CAST to plain TIMESTAMP. */
function isNaiveTimestamp(node: TreeNode): boolean {
  const kind = node.constructor.name;
  if (kind === 'TypeConstructorContext') return /^timestamp'/i.test(node.getText());
  if (kind === 'CastContext') {
    const type = (node as Ctx<'enterCast'>).type().getText().toLowerCase();
    return type.startsWith('timestamp') && !type.includes('withtimezone');
  }
  const children = (node.children ?? []).filter((c) => 'children' in c) as TreeNode[];
  return ARITHMETIC_PATH.has(kind) && children.length === 1 && isNaiveTimestamp(children[0]!);
}

/** Checks one statement (Trino SQL, placeholders filled); an empty list means it passes. */
export function checkStatement(sql: string, options: GuardOptions = {}): GuardFinding[] {
  const parser = new TrinoSQL();
  const findings: GuardFinding[] = [];

  // (a) syntax: nothing else is checked on text the Trino grammar rejects.
  const lines = sql.split('\n');
  for (const e of parser.validate(sql)) {
    findings.push({
      rule: 'syntax',
      severity: 'error',
      line: e.startLine,
      column: e.startColumn,
      text: lines[e.startLine - 1]?.slice(e.startColumn - 1, e.endColumn - 1) ?? '',
      message: e.message,
    });
  }
  if (findings.length > 0) return findings;

  const tree = parser.parse(sql);
  const collector = new Collector();
  parser.listen(collector, tree);
  collector.resolveUnnests();

  // (b) functions and types Athena engine 3 provides
  for (const c of collector.calls) {
    if (ATHENA_ENGINE3_FUNCTIONS.has(c.name)) continue;
    findings.push({
      rule: 'function',
      severity: 'error',
      ...at(c.node),
      text: textOf(sql, c.node),
      message: `${c.name}() is not in the Athena engine 3 allow-list (test/support/athena-functions.ts)`,
    });
  }
  for (const t of collector.types) {
    if (ATHENA_ENGINE3_TYPES.has(t.name)) continue;
    findings.push({
      rule: 'type',
      severity: 'error',
      ...at(t.node),
      text: textOf(sql, t.node),
      message: `${t.name.toUpperCase()} is not an Athena engine 3 type`,
    });
  }

  for (const z of collector.atTimeZone) {
    if (!isNaiveTimestamp(z.valueExpression())) continue;
    findings.push({
      rule: 'naive-at-time-zone',
      severity: 'error',
      ...at(z),
      text: textOf(sql, z),
      message:
        'AT TIME ZONE on a plain TIMESTAMP: Athena reads it as UTC, DuckDB as local time; compare instants instead',
    });
  }

  for (const u of collector.badUnnests) {
    findings.push({
      rule: 'unnest',
      severity: 'error',
      ...at(u.node),
      text: textOf(sql, u.node),
      message: `UNNEST here must be UNNEST(ARRAY[ROW(...), ...]) AS t (one alias per field), not ${u.why}: the DuckDB macro matches Trino for that form only`,
    });
  }

  // (c) integer division
  const columns = options.columns ?? lakeColumnTypes([...collector.entities]);
  const inference = new TypeInference(resolveNames(collector.aliases, columns));
  const reported = new Set<number>();
  for (const d of collector.divisions) {
    const left = d.valueExpression(0)!;
    const right = d.valueExpression(1)!;
    const lt = inference.typeOf(left);
    const rt = inference.typeOf(right);
    if (!isNonInteger(lt) && !isNonInteger(rt)) {
      findings.push({
        rule: 'integer-division',
        severity: 'error',
        ...at(d),
        text: textOf(sql, d),
        message:
          lt === 'integer' && rt === 'integer'
            ? 'integer / integer: Trino truncates (DuckDB does not); CAST one side AS DOUBLE'
            : `division not provably non-integer (left ${lt}, right ${rt}): CAST one side AS DOUBLE`,
      });
    }
    const literals: TreeNode[] = [];
    decimalLiterals(left, literals);
    decimalLiterals(right, literals);
    for (const lit of literals) {
      const key = lit.start?.start ?? -1;
      if (reported.has(key)) continue;
      reported.add(key);
      findings.push({
        rule: 'decimal-literal',
        severity: 'warning',
        ...at(lit),
        text: textOf(sql, lit),
        message: 'decimal literal in division: write CAST(... AS DOUBLE)',
      });
    }
  }
  return findings.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** One line per finding (plus its text), for assertion messages and reports. */
export function formatFindings(findings: readonly GuardFinding[], label = ''): string {
  return findings
    .map(
      (f) =>
        `${label}${f.line}:${f.column} ${f.severity} ${f.rule}: ${f.message}\n    ${f.text.replace(/\s+/g, ' ')}`,
    )
    .join('\n');
}

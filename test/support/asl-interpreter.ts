/**
 * A small Amazon States Language interpreter (JSONPath query language) for driving the KPI state
 * machine's definition through its branches in tests: Pass, Task, Choice, Wait (no waiting: the
 * seconds are recorded), Map (items in order), Succeed and Fail; Parameters, ItemSelector,
 * ResultSelector, ResultPath, Retry (attempts counted, no sleeping) and Catch; the intrinsics the
 * definition uses (States.ArrayGetItem, ArrayLength, ArrayContains, MathAdd, Format). A path that
 * does not exist raises States.Runtime, as Step Functions does. Tasks are answered by a function
 * the test gives: it returns the task's result or throws a {@link TaskError}.
 */

// biome-ignore lint/suspicious/noExplicitAny: state data is untyped JSON by nature
type Json = any;

export class TaskError extends Error {
  constructor(
    readonly error: string,
    override readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

export interface Step {
  state: string;
  input: Json;
}

export interface RunResult {
  status: 'SUCCEEDED' | 'FAILED';
  output?: Json;
  error?: string;
  cause?: string;
  /** Every state entered, in order (Map iterations included). */
  trace: string[];
  /** Seconds of each Wait entered. */
  waits: number[];
  /** Each Task call with its effective input. */
  calls: Step[];
}

export type TaskHandler = (state: string, input: Json, attempt: number) => Json;

interface Ctx {
  handler: TaskHandler;
  context: Json;
  result: RunResult;
}

/** Reads a JSONPath (`$.a.b[0]`, `$.a[*].b`, `$$.x`); missing → States.Runtime. */
export function readPath(data: Json, context: Json, path: string): Json {
  const root = path.startsWith('$$') ? context : data;
  const rest = path.replace(/^\$\$?/, '');
  const tokens = rest.match(/\.[^.[]+|\[\*\]|\[\d+\]/g) ?? [];
  let current: Json = root;
  let many = false;
  for (const t of tokens) {
    if (t === '[*]') {
      if (!Array.isArray(current)) throw new TaskError('States.Runtime', `${path}: not an array`);
      many = true;
      continue;
    }
    const key = t.startsWith('[') ? Number(t.slice(1, -1)) : t.slice(1);
    if (many) {
      current = (current as Json[]).filter((c) => c != null && key in Object(c)).map((c) => c[key]);
      continue;
    }
    if (current == null || typeof current !== 'object' || !(key in current))
      throw new TaskError('States.Runtime', `The JSONPath ${path} could not be found in the input`);
    current = current[key];
  }
  return current;
}

function has(data: Json, context: Json, path: string): boolean {
  try {
    readPath(data, context, path);
    return true;
  } catch {
    return false;
  }
}

/** Splits intrinsic arguments at top-level commas. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === ',') {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out.filter((a) => a !== '');
}

function evaluate(expr: string, data: Json, context: Json): Json {
  const call = /^States\.(\w+)\((.*)\)$/s.exec(expr);
  if (!call) {
    if (expr.startsWith('$')) return readPath(data, context, expr);
    if (expr.startsWith("'")) return expr.slice(1, -1).replace(/\\(.)/g, '$1');
    return JSON.parse(expr);
  }
  const args = splitArgs(call[2]!).map((a) => evaluate(a, data, context));
  switch (call[1]) {
    case 'ArrayGetItem': {
      const [arr, i] = args;
      if (!Array.isArray(arr) || i < 0 || i >= arr.length)
        throw new TaskError('States.Runtime', `States.ArrayGetItem: index ${i} out of bounds`);
      return arr[i];
    }
    case 'ArrayLength':
      return (args[0] as Json[]).length;
    case 'ArrayContains':
      return (args[0] as Json[]).some((x) => JSON.stringify(x) === JSON.stringify(args[1]));
    case 'MathAdd':
      return Number(args[0]) + Number(args[1]);
    case 'Format': {
      let n = 1;
      return String(args[0]).replace(/\{\}/g, () => {
        const v = args[n++];
        return typeof v === 'string' ? v : JSON.stringify(v);
      });
    }
    default:
      throw new Error(`intrinsic States.${call[1]} is not implemented by the test interpreter`);
  }
}

/** Parameters / ItemSelector / ResultSelector: keys ending in `.$` are paths or intrinsics. */
export function template(tpl: Json, data: Json, context: Json): Json {
  if (Array.isArray(tpl)) return tpl.map((t) => template(t, data, context));
  if (tpl === null || typeof tpl !== 'object') return tpl;
  const out: Json = {};
  for (const [k, v] of Object.entries(tpl)) {
    if (k.endsWith('.$')) out[k.slice(0, -2)] = evaluate(v as string, data, context);
    else out[k] = template(v, data, context);
  }
  return out;
}

function withResult(input: Json, path: string | null | undefined, result: Json): Json {
  if (path === null) return input;
  if (path === undefined || path === '$') return result;
  const keys = path.replace(/^\$\./, '').split('.');
  const out = structuredClone(input);
  let node = out;
  for (const k of keys.slice(0, -1)) node = node[k] ??= {};
  node[keys.at(-1)!] = result;
  return out;
}

function matchesPattern(value: string, pattern: string): boolean {
  const re = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${re.join('.*')}$`, 's').test(value);
}

function rule(r: Json, data: Json, context: Json): boolean {
  if (r.And) return r.And.every((x: Json) => rule(x, data, context));
  if (r.Or) return r.Or.some((x: Json) => rule(x, data, context));
  if (r.Not) return !rule(r.Not, data, context);
  if ('IsPresent' in r) return has(data, context, r.Variable) === r.IsPresent;
  const v = readPath(data, context, r.Variable);
  if ('IsNull' in r) return (v === null) === r.IsNull;
  if ('IsString' in r) return (typeof v === 'string') === r.IsString;
  if ('StringMatches' in r) return typeof v === 'string' && matchesPattern(v, r.StringMatches);
  if ('StringEquals' in r) return v === r.StringEquals;
  if ('StringEqualsPath' in r) return v === readPath(data, context, r.StringEqualsPath);
  if ('BooleanEquals' in r) return v === r.BooleanEquals;
  if ('NumericLessThan' in r) return typeof v === 'number' && v < r.NumericLessThan;
  throw new Error(`choice rule not implemented by the test interpreter: ${JSON.stringify(r)}`);
}

/** States.Runtime (a bad path, an intrinsic out of bounds) is caught by nothing, not even States.ALL. */
function errorMatches(list: string[], error: string): boolean {
  if (error === 'States.Runtime') return false;
  return (
    list.includes(error) ||
    list.includes('States.ALL') ||
    (list.includes('States.TaskFailed') && !error.startsWith('States.'))
  );
}

type Outcome = { next?: string; output: Json; end?: boolean };

function runTask(name: string, s: Json, input: Json, ctx: Ctx): Json {
  const effective = s.Parameters ? template(s.Parameters, input, ctx.context) : input;
  for (let attempt = 0; ; attempt++) {
    try {
      ctx.result.calls.push({ state: name, input: effective });
      const raw = s.Type === 'Map' ? runMap(s, input, ctx) : ctx.handler(name, effective, attempt);
      const selected = s.ResultSelector ? template(s.ResultSelector, raw, ctx.context) : raw;
      return withResult(input, s.ResultPath, selected);
    } catch (e) {
      if (!(e instanceof TaskError)) throw e;
      const retrier = (s.Retry ?? []).find((r: Json) => errorMatches(r.ErrorEquals, e.error));
      if (retrier && attempt < (retrier.MaxAttempts ?? 3)) continue;
      throw e;
    }
  }
}

function runMap(s: Json, input: Json, ctx: Ctx): Json {
  const items = readPath(input, ctx.context, s.ItemsPath ?? '$') as Json[];
  return items.map((item, index) => {
    const context = { ...ctx.context, Map: { Item: { Value: item, Index: index } } };
    const first = s.ItemSelector ? template(s.ItemSelector, input, context) : item;
    const inner = runGraph(s.ItemProcessor, first, { ...ctx, context });
    if (inner.failed) throw new TaskError(inner.failed.error, inner.failed.cause);
    return inner.output;
  });
}

function step(name: string, s: Json, input: Json, ctx: Ctx): Outcome {
  switch (s.Type) {
    case 'Pass': {
      const result = s.Parameters ? template(s.Parameters, input, ctx.context) : input;
      return { next: s.Next, end: s.End, output: withResult(input, s.ResultPath, result) };
    }
    case 'Wait': {
      ctx.result.waits.push(s.SecondsPath ? readPath(input, ctx.context, s.SecondsPath) : s.Seconds);
      return { next: s.Next, end: s.End, output: input };
    }
    case 'Choice': {
      const hit = (s.Choices as Json[]).find((c) => rule(c, input, ctx.context));
      const next = hit?.Next ?? s.Default;
      if (!next) throw new TaskError('States.NoChoiceMatched', `${name}: no choice matched`);
      return { next, output: input };
    }
    default: {
      try {
        return { next: s.Next, end: s.End, output: runTask(name, s, input, ctx) };
      } catch (e) {
        if (!(e instanceof TaskError)) throw e;
        const catcher = (s.Catch ?? []).find((c: Json) => errorMatches(c.ErrorEquals, e.error));
        if (!catcher) throw e;
        const output = withResult(input, catcher.ResultPath, { Error: e.error, Cause: e.cause });
        return { next: catcher.Next, output };
      }
    }
  }
}

function runGraph(
  graph: Json,
  input: Json,
  ctx: Ctx,
): { output?: Json; failed?: { error: string; cause: string } } {
  let name: string = graph.StartAt;
  let data = input;
  for (let guard = 0; guard < 10_000; guard++) {
    const s = graph.States[name];
    ctx.result.trace.push(name);
    if (s.Type === 'Succeed') return { output: data };
    if (s.Type === 'Fail') {
      const error = s.ErrorPath ? evaluate(s.ErrorPath, data, ctx.context) : s.Error;
      const cause = s.CausePath ? evaluate(s.CausePath, data, ctx.context) : s.Cause;
      return { failed: { error, cause } };
    }
    let outcome: Outcome;
    try {
      outcome = step(name, s, data, ctx);
    } catch (e) {
      if (e instanceof TaskError) return { failed: { error: e.error, cause: e.cause } };
      throw e;
    }
    data = outcome.output;
    if (outcome.end) return { output: data };
    name = outcome.next!;
  }
  throw new Error('the state machine did not stop within 10 000 transitions');
}

/** Runs the definition on `input` with `context` as `$$` (Execution, StateMachine). */
export function runStateMachine(
  definition: Json,
  input: Json,
  context: Json,
  handler: TaskHandler,
): RunResult {
  const result: RunResult = { status: 'SUCCEEDED', trace: [], waits: [], calls: [] };
  const out = runGraph(definition, input, { handler, context, result });
  if (out.failed) {
    result.status = 'FAILED';
    result.error = out.failed.error;
    result.cause = out.failed.cause;
  } else result.output = out.output;
  return result;
}

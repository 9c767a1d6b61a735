/**
 * The house rules a reader relies on (README "How it is built"), checked on every tracked source
 * file so they cannot erode one commit at a time:
 * - no function, method, constructor or arrow function over 80 lines in functions/, infra/ or
 *   bench/ (a hot loop may stay longer when its JSDoc says why with `@long-function <reason>`);
 * - Lambda handlers and CLI commands are thin adapters: at most 80 lines a file (aim: 60).
 * Import cycles and the one-way rule (core imports no adapter, handler, CLI, AWS SDK or node:fs)
 * are checked by dependency-cruiser (`npm run check:deps`, part of `npm test`).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url);
const MAX_FUNCTION_LINES = 80;
const MAX_ENTRY_POINT_LINES = 80;
function tracked(...globs: string[]): string[] {
  const out = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '--', ...globs],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return out.split('\n').filter((f) => f.endsWith('.ts'));
}

interface LongFunction {
  where: string;
  name: string;
  lines: number;
}

function functionName(node: ts.Node): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const named = node as ts.FunctionLikeDeclaration;
  if (named.name) return named.name.getText();
  if (ts.isVariableDeclaration(node.parent) || ts.isPropertyAssignment(node.parent))
    return node.parent.name.getText();
  return '<anonymous>';
}

function hasLongFunctionTag(node: ts.Node): boolean {
  const holder = ts.isVariableDeclaration(node.parent) ? node.parent.parent.parent : node;
  return ts.getJSDocTags(holder).some((t) => t.tagName.getText() === 'long-function' && t.comment);
}

function longFunctions(file: string, text = readFileSync(new URL(file, ROOT), 'utf8')): LongFunction[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = src.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = src.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_FUNCTION_LINES && !hasLongFunctionTag(node))
        found.push({ where: `${file}:${first + 1}`, name: functionName(node), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return found;
}

describe('house rules', () => {
  it(`no function is longer than ${MAX_FUNCTION_LINES} lines`, () => {
    const offenders = tracked('functions', 'infra', 'bench').flatMap((f) => longFunctions(f));
    expect(
      offenders.map((o) => `${o.where} ${o.name}: ${o.lines} lines`),
      'split these into named steps (or tag a hot loop `@long-function <why>` in its JSDoc)',
    ).toEqual([]);
  });

  it(`handlers and CLI commands are thin adapters (≤ ${MAX_ENTRY_POINT_LINES} lines each)`, () => {
    const files = tracked('functions/handlers', 'functions/cli/commands');
    expect(files.length).toBeGreaterThan(5);
    const fat = files
      .map((f) => ({ f, lines: readFileSync(new URL(f, ROOT), 'utf8').split('\n').length }))
      .filter((x) => x.lines > MAX_ENTRY_POINT_LINES)
      .map((x) => `${x.f}: ${x.lines} lines`);
    expect(fat, 'move the work into a core use case; keep parsing, wiring and printing here').toEqual([]);
  });

  it('the length check sees long functions and honours the tag (the rule can fail)', () => {
    const body = Array.from({ length: MAX_FUNCTION_LINES }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const text = [
      `function big() {\n${body}\n}`,
      `const arrow = () => {\n${body}\n};`,
      `class K {\n  constructor() {\n${body}\n  }\n}`,
      `/** @long-function the scanner's state machine stays in one loop for speed */\nfunction hot() {\n${body}\n}`,
      `function small() {\n  return 1;\n}`,
    ].join('\n');
    expect(longFunctions('x.ts', text).map((f) => f.name)).toEqual(['big', 'arrow', 'constructor']);
  });
});

/**
 * The repository stands alone: a fresh clone, with nothing beside it, has everything its tests,
 * docs, scripts and build read. Checked on every tracked (or new, not ignored) file:
 *
 * 1. no file reads a path above the repository root: a relative path in a string literal of code,
 *    JSON, shell or YAML, resolved against the file's folder, stays inside the root, and so does
 *    every relative link in a Markdown file;
 * 2. no file points at the project's sibling folders (the specification, seeds and vendor samples
 *    that sat beside the repository while it was written), not even in a comment or in prose: what
 *    a reader needs from them lives in docs/ and test/fixtures/ (see test/fixtures/vendor/SOURCES.md);
 * 3. every relative link in a Markdown file leads to a file or folder of the repository.
 *
 * CI also proves it for real: .ci/run clones the commit into an empty folder and runs the demo and
 * the tests there.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A problem found in a file: where, and what. */
interface Finding {
  where: string;
  what: string;
}

// ── which files ──────────────────────────────────────────────────────────────

/** Tracked files and new files git does not ignore, relative to the root, that exist. */
function repositoryFiles(): string[] {
  let listed: string[];
  try {
    listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).split('\0');
  } catch {
    listed = walk(''); // not a git work tree (an unpacked archive): every file but the ignored folders
  }
  return [...new Set(listed)].filter((f) => f !== '' && isFile(join(ROOT, f))).sort();
}

const IGNORED_DIRS = new Set([
  '.git',
  'node_modules',
  'cdk.out',
  '.servicepulse',
  'scratch',
  '.scratch',
  'tmp',
]);

function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = dir === '' ? e.name : `${dir}/${e.name}`;
    if (e.isDirectory()) return IGNORED_DIRS.has(e.name) || path === 'bench/out' ? [] : walk(path);
    return e.isFile() ? [path] : [];
  });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SHELL_LIKE = /(\.sh|\.ya?ml)$|^\.ci\/run$/;
const TEXT =
  /\.(ts|mts|cts|js|mjs|cjs|json|sh|ya?ml|md|sql|txt|html|css|toml|ini|cfg|env)$|^\.ci\/|(^|\/)\.[a-z-]+rc$|(^|\/)\.gitignore$/;

// ── paths ────────────────────────────────────────────────────────────────────

/** True when `path` (already absolute) is the root or lies inside it. */
function insideRoot(path: string): boolean {
  const rel = relative(ROOT, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The relative paths a piece of text names: words that start with `./` or `../`, or are `..`. */
function relativePaths(text: string): string[] {
  return text
    .split(/[\s'"`()[\]{},;|&<>=]+/)
    .filter((w) => w === '..' || w.startsWith('../') || w.startsWith('./'));
}

/** Findings for the relative paths in `text`, resolved against the folder of `file`. */
function escapes(file: string, line: number, text: string): Finding[] {
  const dir = dirname(join(ROOT, file));
  return relativePaths(text)
    .filter((p) => !insideRoot(resolve(dir, p)))
    .map((p) => ({ where: `${file}:${line}`, what: `"${p}" resolves above the repository root` }));
}

// ── 1. reads ─────────────────────────────────────────────────────────────────

/** String literals of a TypeScript or JavaScript file (the static parts of template literals). */
function codeLiterals(file: string, text: string): { line: number; text: string }[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: { line: number; text: string }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
      const line = src.getLineAndCharacterOfPosition(node.getStart(src)).line + 1;
      out.push({ line, text: node.text });
    }
    node.forEachChild(visit);
  };
  visit(src);
  return out;
}

/** Every string of a JSON document (keys too), or its quoted strings if it does not parse. */
function jsonStrings(text: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [...text.matchAll(/"((?:[^"\\\n]|\\.)*)"/g)].map((m) => m[1]!);
  }
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        out.push(k);
        visit(x);
      }
  };
  visit(doc);
  return out;
}

/** The link targets of a Markdown file outside code blocks and code spans, with their lines. */
function markdownLinks(text: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((raw, i) => {
    const opening = /^\s*(```+|~~~+)/.exec(raw)?.[1];
    if (opening && (!fence || opening.startsWith(fence))) {
      fence = fence ? undefined : opening;
      return;
    }
    if (fence) return;
    const line = raw.replace(/`[^`]*`/g, '');
    const targets = [
      ...[...line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*)?\)/g)].map((m) => m[1]!),
      ...[...line.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)].map((m) => m[1]!),
      ...[...line.matchAll(/\s(?:src|href)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1]!),
    ];
    for (const target of targets) out.push({ line: i + 1, target });
  });
  return out;
}

/** A relative link's path inside the repository (`/x` is the root's x), or undefined for a URL or an anchor. */
function linkPath(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#') || target.startsWith('//'))
    return undefined;
  const path = target.replace(/[#?].*$/, '');
  if (path === '') return undefined;
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {}
  return decoded.startsWith('/') ? join(ROOT, decoded) : resolve(dirname(join(ROOT, file)), decoded);
}

/** Paths above the root that one file reads or links. */
function readsAbove(file: string, text: string): Finding[] {
  if (file.endsWith('.md')) {
    return markdownLinks(text).flatMap(({ line, target }) => {
      const path = linkPath(file, target);
      return path === undefined || insideRoot(path)
        ? []
        : [{ where: `${file}:${line}`, what: `link "${target}" leads above the repository root` }];
    });
  }
  if (CODE.test(file)) return codeLiterals(file, text).flatMap((l) => escapes(file, l.line, l.text));
  if (file.endsWith('.json'))
    return jsonStrings(text)
      .filter((s) => relativePaths(s).length > 0)
      .flatMap((s) => escapes(file, lineOf(text, s), s));
  if (SHELL_LIKE.test(file)) return text.split('\n').flatMap((l, i) => escapes(file, i + 1, l));
  return [];
}

function lineOf(text: string, s: string): number {
  const at = text.indexOf(JSON.stringify(s).slice(1, -1));
  return at < 0 ? 0 : text.slice(0, at).split('\n').length;
}

// ── 2. the sibling folders ───────────────────────────────────────────────────

/**
 * The folder that sat beside the repository, and its parts. Built from pieces so that this file
 * does not name them itself.
 */
const SIBLING = 'shared';
const SIBLING_MENTION = new RegExp(
  `(?:\\.\\./)+${SIBLING}\\b|\\b${SIBLING}/(?:spec|vendor-samples|seeds)\\b`,
);

/** Lines of one file that point at the sibling folder (code, comments and prose alike). */
function siblingMentions(file: string, text: string): Finding[] {
  return text.split('\n').flatMap((line, i) => {
    const m = SIBLING_MENTION.exec(line);
    return m ? [{ where: `${file}:${i + 1}`, what: line.trim().slice(0, 160) }] : [];
  });
}

// ── the tests ────────────────────────────────────────────────────────────────

const files = repositoryFiles();
const texts = new Map(
  files.filter((f) => TEXT.test(f)).map((f) => [f, readFileSync(join(ROOT, f), 'utf8')] as const),
);
const report = (found: Finding[]) => found.map((f) => `${f.where}: ${f.what}`);

describe('the repository stands alone', () => {
  it('finds the files it checks', () => {
    expect(texts.has('README.md')).toBe(true);
    expect(texts.has('test/unit/standalone.test.ts')).toBe(true);
  });

  it('reads and links no path above the repository root', () => {
    const found = [...texts].flatMap(([file, text]) => readsAbove(file, text));
    expect(report(found)).toEqual([]);
  });

  it('points nowhere into the folders that sat beside the repository, not even in a comment', () => {
    const found = [...texts].flatMap(([file, text]) => siblingMentions(file, text));
    expect(report(found)).toEqual([]);
  });

  it('links only to files that exist in the repository', () => {
    const found = [...texts]
      .filter(([file]) => file.endsWith('.md'))
      .flatMap(([file, text]) =>
        markdownLinks(text).flatMap(({ line, target }) => {
          const path = linkPath(file, target);
          return path === undefined || !insideRoot(path) || existsSync(path)
            ? []
            : [{ where: `${file}:${line}`, what: `link "${target}": no such file` }];
        }),
      );
    expect(report(found)).toEqual([]);
  });
});

describe('the checks themselves', () => {
  // Written as `up(n)` so that this file holds no path above the root itself.
  const up = (n: number) => '../'.repeat(n);

  it('see a path above the root in code, and not one inside it', () => {
    // Prepare
    const code = [
      `readFileSync(new URL('${up(3)}elsewhere/x.json', import.meta.url));`,
      `import { a } from '${up(2)}functions/core/config.ts';`,
      `const t = \`${up(3)}elsewhere/\${name}\`; // a comment naming ${up(3)} is not a literal`,
    ].join('\n');

    // Act
    const found = readsAbove('test/unit/example.ts', code);

    // Assess
    expect(report(found)).toEqual([
      `test/unit/example.ts:1: "${up(3)}elsewhere/x.json" resolves above the repository root`,
      `test/unit/example.ts:3: "${up(3)}elsewhere/" resolves above the repository root`,
    ]);
  });

  it('see Markdown links above the root, but not in code blocks or code spans', () => {
    // Prepare
    const md = [
      `[spec](${up(1)}elsewhere/spec.md) and [ok](docs/cli.md) and [site](https://example.com/${up(1)}x)`,
      `\`[not a link](${up(1)}x.md)\``,
      '```',
      `[in a code block](${up(1)}x.md)`,
      '```',
      `<img src="${up(1)}picture.png"> [ref]: ${up(1)}ref.md`,
      `[ref]: ${up(1)}ref.md`,
    ].join('\n');

    // Act
    const found = readsAbove('README.md', md);

    // Assess
    expect(report(found)).toEqual([
      `README.md:1: link "${up(1)}elsewhere/spec.md" leads above the repository root`,
      `README.md:6: link "${up(1)}picture.png" leads above the repository root`,
      `README.md:7: link "${up(1)}ref.md" leads above the repository root`,
    ]);
  });

  it('see the sibling folder named in a comment', () => {
    // Prepare
    const text = `/** spec: ${SIBLING}/spec/kpis.md */\nconst ok = '${SIBLING} memory';\n// ${up(1)}${SIBLING}/GUIDE.md`;

    // Act
    const found = siblingMentions('functions/core/x.ts', text);

    // Assess
    expect(found.map((f) => f.where)).toEqual(['functions/core/x.ts:1', 'functions/core/x.ts:3']);
  });
});

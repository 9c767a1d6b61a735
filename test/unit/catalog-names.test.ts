import { describe, expect, it } from 'vitest';
import { CATALOG, FAMILIES } from '../../functions/core/catalog.ts';
import { FAMILY_NAMES, KPI_NAMES } from '../../functions/core/catalog-names.ts';
import type { Lang } from '../../functions/core/config.ts';
import { LANGUAGES } from '../../functions/core/config.ts';

const ARABIC_SCRIPT = /\p{Script=Arabic}/u;
const CJK = /\p{Script=Han}/u;
/** Latin letters plus digits, spaces and the punctuation names use. */
const LATIN_ONLY = /^[\p{Script=Latin}\d\s().,/%–-]+$/u;
const HAS_LATIN_LETTER = /\p{Script=Latin}/u;
/** Arabic yeh/kaf: Persian writes ی/ک. */
const ARABIC_ONLY_LETTERS = /[\u064A\u0643]/u;
/** Persian-only letters (ی ک پ چ ژ گ) that do not belong in Arabic text. */
const PERSIAN_ONLY_LETTERS = /[\u06CC\u06A9\u067E\u0686\u0698\u06AF]/u;
/** Traditional forms of characters used in seed 001; zh names are simplified (zh-Hans). */
const TRADITIONAL = /[戶數時間處轉滿訪費預節劃計聯務單員實標準門協現達據饋應調報業傳遞體記錄響]/u;

const ids = CATALOG.map((k) => k.id);

function allNames(lang: Lang): [string, string][] {
  return [
    ...Object.entries(KPI_NAMES).map(([id, n]): [string, string] => [id, n[lang]]),
    ...Object.entries(FAMILY_NAMES).map(([f, n]): [string, string] => [`family ${f}`, n[lang]]),
  ];
}

describe('KPI_NAMES', () => {
  it('names exactly the catalog ids', () => {
    expect(Object.keys(KPI_NAMES).sort()).toEqual([...ids].sort());
    expect(ids).toHaveLength(48);
  });

  it('has a non-empty, trimmed name for every id in every language', () => {
    for (const id of ids) {
      for (const lang of LANGUAGES) {
        const name = KPI_NAMES[id]?.[lang];
        expect(name, `${id}.${lang}`).toBeTypeOf('string');
        expect(name?.trim(), `${id}.${lang}`).toBe(name);
        expect(name?.length, `${id}.${lang}`).toBeGreaterThan(0);
      }
    }
  });

  it('never reuses the English name in another language', () => {
    for (const [id, n] of Object.entries(KPI_NAMES)) {
      for (const lang of LANGUAGES) {
        if (lang !== 'en') expect(n[lang], `${id}.${lang}`).not.toBe(n.en);
      }
    }
  });

  it('gives distinct KPIs distinct names within a language', () => {
    for (const lang of LANGUAGES) {
      const names = ids.map((id) => KPI_NAMES[id]?.[lang]);
      expect(new Set(names).size, lang).toBe(names.length);
    }
  });
});

describe('scripts', () => {
  it('writes fa and ar names in Arabic script, with the right letter forms', () => {
    for (const [what, name] of allNames('fa')) {
      expect(name, `${what}.fa`).toMatch(ARABIC_SCRIPT);
      expect(name, `${what}.fa`).not.toMatch(ARABIC_ONLY_LETTERS);
    }
    for (const [what, name] of allNames('ar')) {
      expect(name, `${what}.ar`).toMatch(ARABIC_SCRIPT);
      expect(name, `${what}.ar`).not.toMatch(PERSIAN_ONLY_LETTERS);
    }
  });

  it('writes zh names in simplified CJK characters', () => {
    for (const [what, name] of allNames('zh')) {
      expect(name, `${what}.zh`).toMatch(CJK);
      expect(name, `${what}.zh`).not.toMatch(TRADITIONAL);
    }
  });

  it('writes ms (and en) names in Latin script', () => {
    for (const lang of ['ms', 'en'] as const) {
      for (const [what, name] of allNames(lang)) {
        expect(name, `${what}.${lang}`).toMatch(LATIN_ONLY);
        expect(name, `${what}.${lang}`).toMatch(HAS_LATIN_LETTER);
      }
    }
  });
});

describe('FAMILY_NAMES', () => {
  it('covers exactly the seven families, in every language', () => {
    expect(Object.keys(FAMILY_NAMES).sort()).toEqual([...FAMILIES].sort());
    expect(FAMILIES).toHaveLength(7);
    for (const f of FAMILIES) {
      for (const lang of LANGUAGES) {
        expect(FAMILY_NAMES[f]?.[lang], `${f}.${lang}`).toBeTruthy();
        if (lang !== 'en') expect(FAMILY_NAMES[f]?.[lang], `${f}.${lang}`).not.toBe(FAMILY_NAMES[f]?.en);
      }
    }
  });
});

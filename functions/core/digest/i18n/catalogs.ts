/**
 * The five language catalogs by language, and the names the digest shows from catalog-names.ts
 * (family and source names).
 */
import { FAMILY_NAMES } from '../../catalog-names.ts';
import type { Lang } from '../../config.ts';
import { ar } from './ar.ts';
import { en } from './en.ts';
import { fa } from './fa.ts';
import { ms } from './ms.ts';
import type { Messages } from './types.ts';
import { zh } from './zh.ts';

export const MESSAGES: Record<Lang, Messages> = { en, fa, ar, zh, ms };

export function messages(lang: Lang): Messages {
  return MESSAGES[lang];
}

export function isRtl(lang: Lang): boolean {
  return MESSAGES[lang].dir === 'rtl';
}

const NAMES_BY_FAMILY: Readonly<Record<string, Record<Lang, string> | undefined>> = FAMILY_NAMES;

/** A source (entity) or family name in the language; the id itself when none is known. */
export function familyName(family: string, lang: Lang): string {
  return NAMES_BY_FAMILY[family]?.[lang] ?? family;
}

/**
 * Plural categories from CLDR through `Intl.PluralRules` (one cached rule set per locale): the
 * language catalogs pick the form of a counted noun by category, not by hand-written number rules.
 */

/** Word forms by plural category; `other` is always there, as in CLDR. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const rules = new Map<string, Intl.PluralRules>();

/** The CLDR plural category of a count in the locale (`one`, `two`, `few`, `many`, `other` …). */
export function pluralCategory(locale: string, n: number): Intl.LDMLPluralRule {
  let r = rules.get(locale);
  if (!r) {
    r = new Intl.PluralRules(locale);
    rules.set(locale, r);
  }
  return r.select(n);
}

/** The form of a counted word for `n`: the one of its category, else `other`. */
export function pluralForm(locale: string, n: number, forms: PluralForms): string {
  return forms[pluralCategory(locale, n)] ?? forms.other;
}

/**
 * Row rules: checks across fields, and defaults derived from other fields, as plain functions over
 * a row whose fields are already parsed. {@link withRules} wraps an entity's zod object in them
 * (superRefine / transform) and remembers them, so the compiled validator (validator.ts) runs the
 * very same functions; {@link objectShape} walks back through that wrapping to the fields.
 */
import { z } from 'zod';

export type Row = Record<string, unknown>;
/** Reports one problem with the row: the field it is about and the reason. */
export type Report = (field: string, message: string) => void;

export interface RowRules {
  check?: (row: Row, report: Report) => void;
  /** The row as stored (defaults filled in); runs only on a row that passed `check`. */
  finish?: (row: Row) => Row;
}

const rulesOf = new WeakMap<z.ZodType, RowRules>();

/** A zod object refined and transformed by the entity's row rules. */
export function withRules<T extends z.ZodObject>(object: T, rules: RowRules) {
  const checked = rules.check
    ? object.superRefine((r, c) =>
        rules.check!(r as Row, (path, message) => c.addIssue({ code: 'custom', path: [path], message })),
      )
    : object;
  const finished = rules.finish ? checked.transform((r) => rules.finish!(r as Row)) : checked;
  rulesOf.set(finished, rules);
  return finished;
}

/** The row rules {@link withRules} gave a contract (undefined for any other schema). */
export function rowRulesOf(schema: z.ZodType): RowRules | undefined {
  return rulesOf.get(schema);
}

/** The fields of a contract: its zod object's shape, under the wrapping of its row rules. */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  let s: z.ZodType = schema;
  // ZodPipe (transform) and refinements wrap the object; walk to it.
  for (let i = 0; i < 5; i++) {
    if (s instanceof z.ZodObject) return s.shape as Record<string, z.ZodType>;
    if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else break;
  }
  throw new Error('contract is not an object schema');
}

/** Reports `field` when it is before `anchor` (both epoch ms; a missing one passes). */
export function notBefore(report: Report, row: Row, field: string, anchor: string) {
  const v = row[field];
  const a = row[anchor];
  if (typeof v === 'number' && typeof a === 'number' && v < a) report(field, `${field} is before ${anchor}`);
}

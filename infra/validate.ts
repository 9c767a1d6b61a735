/**
 * Props validation in the style of aws-solutions-constructs: every check runs, all failures are
 * reported together, so one synth shows everything that is wrong.
 */
export class PropsError extends Error {
  override name = 'PropsError';
}

export class Problems {
  private readonly list: string[] = [];

  constructor(private readonly construct: string) {}

  /** Records `message` unless `ok`. */
  check(ok: boolean, message: string): this {
    if (!ok) this.list.push(message);
    return this;
  }

  /** Throws one PropsError listing every recorded problem. */
  throwIfAny(): void {
    if (this.list.length > 0) {
      throw new PropsError(`${this.construct}: invalid props:\n  - ${this.list.join('\n  - ')}`);
    }
  }
}

export function isInteger(n: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return n === undefined || (Number.isInteger(n) && n >= min && n <= max);
}

/** `HH:MM`, 24-hour clock. */
export function parseClock(s: string): { hour: number; minute: number } | undefined {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(s);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

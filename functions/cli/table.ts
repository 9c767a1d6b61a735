/** A plain aligned text table for terminal summaries (widths by code points, so any script lines up roughly). */
export function formatTable(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [
    header.map(String),
    ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c)))),
  ];
  const width = (s: string) => [...s].length;
  const widths = header.map((_, i) => Math.max(...cells.map((r) => width(r[i] ?? ''))));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i]! - width(c)));
        return typeof rows[0]?.[i] === 'number' ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

export function printTable(header: readonly string[], rows: readonly (readonly unknown[])[]): void {
  process.stdout.write(`${formatTable(header, rows)}\n`);
}

/**
 * Names and values from data or config (queues, teams, agents) as the digest shows them: one line,
 * at most MAX_NAME_CHARS characters (an ellipsis says it was cut), control and bidi-formatting
 * characters shown visibly as "[U+202E]" (the lake keeps the bytes as they came), and isolated
 * (FSI … PDI) so a right-to-left name cannot reorder the sentence around it. ZWNJ/ZWJ (Persian
 * words, emoji) are kept: they are part of the text, not formatting of the sentence.
 */
export const MAX_NAME_CHARS = 80;

/** C0/C1 controls (CR, LF, tab…), ALM, LRM/RLM, LRE…RLO, LRI…PDI, line/paragraph separators. */
const HOSTILE = /[\p{Cc}\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u;

function visible(ch: string): string {
  return `[U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}]`;
}

/** Escaped and capped, not yet isolated. Reads at most MAX_NAME_CHARS + 1 characters of `raw`. */
export function safeName(raw: string): string {
  const out: string[] = [];
  let shown = 0;
  for (const ch of raw) {
    const piece = HOSTILE.test(ch) ? visible(ch) : ch;
    const width = piece === ch ? 1 : piece.length;
    if (shown + width > MAX_NAME_CHARS) return `${out.join('')}…`;
    out.push(piece);
    shown += width;
  }
  return out.join('');
}

/** First strong isolate … pop directional isolate around the safe name. */
export function isolatedName(raw: string): string {
  return `\u2068${safeName(raw)}\u2069`;
}

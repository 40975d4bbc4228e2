/**
 * Edits of a text as a list of replacements, so that everything outside them keeps its bytes.
 * The merge of an Alertmanager config is computed as such edits on the base file's text.
 */

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * Apply edits given as offsets into the original text. Deletions may overlap (they are joined);
 * an insertion may sit at the start or end of a deletion, never inside one, and is placed before a
 * deletion that starts at the same offset.
 */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const deletions = edits.filter((e) => e.end > e.start && e.text === '').sort((a, b) => a.start - b.start);
  const joined: Edit[] = [];
  for (const d of deletions) {
    const last = joined[joined.length - 1];
    if (last && d.start <= last.end) last.end = Math.max(last.end, d.end);
    else joined.push({ ...d });
  }
  const others = edits.filter((e) => !(e.end > e.start && e.text === ''));
  const all = [...joined, ...others].sort((a, b) => a.start - b.start || a.end - a.start - (b.end - b.start));
  let out = '';
  let at = 0;
  for (const e of all) {
    if (e.start < at || e.end < e.start || e.end > text.length) throw new Error(`overlapping edits at offset ${e.start}`);
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

/** Offset of the start of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset of the start of the line after the one holding `offset` (offset itself when it starts a line; the text length at the end). */
export function lineStartAfter(text: string, offset: number): number {
  if (offset === 0 || text[offset - 1] === '\n') return offset;
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/** 0-based column of an offset. */
export function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** The previous line (without its line break) of the line holding `offset`, or undefined on the first line. */
export function previousLine(text: string, offset: number): { start: number; text: string } | undefined {
  const start = lineStart(text, offset);
  if (start === 0) return undefined;
  const prevStart = lineStart(text, start - 1);
  return { start: prevStart, text: text.slice(prevStart, start - 1).replace(/\r$/, '') };
}

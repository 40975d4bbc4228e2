/**
 * Markdown output helpers. Two kinds of user text go into the generated Markdown:
 *
 * - plain text (titles, owners, names): `mdText` shows it literally, escaping only the characters
 *   that would otherwise change meaning, wherever it is placed (inline, at a line start, in a table
 *   cell, in a link text or a heading);
 * - Markdown (rollback plans, remediation, criteria, descriptions, preset text): `mdMarkdown`,
 *   `mdListItem` and `mdAfterLabel` in markdown-user.ts keep it Markdown, code blocks and code
 *   spans byte for byte, and neutralise what could hurt (raw HTML, non-http links, headings,
 *   unclosed fences). That module loads a Markdown parser, so only generators import it.
 *
 * Links migobs writes itself (`mdLink`) must be http(s), relative or anchors.
 */

/** ASCII punctuation: what a backslash can escape in CommonMark. */
const ASCII_PUNCT = /[!-/:-@[-`{-~]/;
const SPACE = /\s/u;
/** Unicode punctuation or symbol (CommonMark's "punctuation character" for emphasis flanking). */
const PUNCT = /[\p{P}\p{S}]/u;
const ENTITY = /^&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});/;

/**
 * Plain text as inline Markdown that renders exactly as the text (line breaks become spaces). Safe
 * anywhere inline, at the start of a line, inside a link text, a heading or a table cell, and
 * without backslashes where a character means nothing: `Threads_running`, `lag < 5 s`,
 * `R&D`, `(P3)` stay as they are.
 */
export function mdText(text: string): string {
  const s = text.replace(/\r\n?|\n|\u2028|\u2029/g, ' ').trim();
  const tildes = (s.match(/~/g) ?? []).length >= 2;
  // GitHub renders `$...$` as math; one dollar cannot pair.
  const dollars = (s.match(/\$/g) ?? []).length >= 2;
  let out = '';
  let from = 0;
  // Only these characters can mean anything: the text between them is copied as it is.
  for (let i = nextSpecial(s, 0); i < s.length; i = nextSpecial(s, i + 1)) {
    out += s.slice(from, i);
    from = i + 1;
    const c = s[i]!;
    const prev = i > 0 ? s[i - 1]! : undefined;
    const next = i + 1 < s.length ? s[i + 1]! : undefined;
    switch (c) {
      case '\\':
        // A backslash escapes only ASCII punctuation; at the end it could escape what follows the text.
        out += next === undefined || ASCII_PUNCT.test(next) ? '\\\\' : '\\';
        break;
      case '`':
      case '[':
      case ']':
      case '|':
        out += `\\${c}`;
        break;
      case '*':
        // Surrounded by spaces it can neither open nor close emphasis (`2 * 3`).
        out += prev !== undefined && next !== undefined && SPACE.test(prev) && SPACE.test(next) ? c : `\\${c}`;
        break;
      case '_': {
        // Inside a word (`Threads_running`) or between spaces it is never emphasis.
        const word = (x: string | undefined): boolean => x !== undefined && !SPACE.test(x) && !PUNCT.test(x);
        const space = (x: string | undefined): boolean => x !== undefined && SPACE.test(x);
        out += (word(prev) && word(next)) || (space(prev) && space(next)) ? c : `\\${c}`;
        break;
      }
      case '~':
        out += tildes ? `\\${c}` : c;
        break;
      case '$':
        out += dollars ? `\\${c}` : c;
        break;
      case '<':
        // Only `<` before a letter, `/`, `!` or `?` can start HTML or an autolink.
        out += next === undefined || /[A-Za-z/!?]/.test(next) ? '&lt;' : c;
        break;
      case '&':
        out += next === undefined || ENTITY.test(s.slice(i)) ? '&amp;' : c;
        break;
      case '#':
        // A heading marker at the start, or a closing sequence at the end of a heading.
        out += (i === 0 && /^#{1,6}(\s|$)/.test(s)) || (/^#*$/.test(s.slice(i)) && prev !== undefined && SPACE.test(prev)) ? `\\${c}` : c;
        break;
      default:
        // A character SPECIAL finds but no case above names is copied, never dropped.
        out += c;
    }
  }
  return escapeLineStart(out + s.slice(from));
}

/** The characters mdText looks at; every other one it copies. */
const SPECIAL = /[\\`[\]|*_~$<&#]/g;

/** The position of the first character from `from` on that mdText may escape; the length when there is none. */
function nextSpecial(s: string, from: number): number {
  SPECIAL.lastIndex = from;
  return SPECIAL.exec(s)?.index ?? s.length;
}

/** Escape what would start a block at the beginning of a line: list items, quotes, breaks, setext underlines. */
function escapeLineStart(s: string): string {
  if (/^>/.test(s) || /^[-+](\s|$)/.test(s) || /^[-=]+$/.test(s) || /^-(\s*-){2,}$/.test(s)) return `\\${s}`;
  const ordered = /^(\d{1,9})([.)])(\s|$)/.exec(s);
  if (ordered) return `${ordered[1]}\\${s.slice(ordered[1]!.length)}`;
  return s;
}

/** Inline code span that survives any backticks in the content (a table escapes its pipes). */
export function mdCode(text: string): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ');
  let fence = '`';
  while (oneLine.includes(fence)) fence += '`';
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

/** A fenced code block. */
export function mdCodeBlock(text: string, lang = ''): string {
  let fence = '```';
  while (text.includes(fence)) fence += '`';
  return `${fence}${lang}\n${text}\n${fence}`;
}

/** Only http(s) URLs, relative paths and anchors may become links. */
export function safeUrl(url: string): boolean {
  if (/^https?:\/\/[^\s<>"]+$/i.test(url)) return true;
  if (/^#[A-Za-z0-9_-]+$/.test(url)) return true;
  return /^[A-Za-z0-9_./-]+(#[A-Za-z0-9_-]+)?$/.test(url) && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url);
}

/** A link; an unsafe target is shown as code instead of a live link. */
export function mdLink(text: string, url: string): string {
  if (!safeUrl(url)) return `${mdText(text)} (${mdCode(url)})`;
  const target = url.replace(/[()<> ]/g, (c) => encodeURIComponent(c));
  return `[${mdText(text)}](${target})`;
}

/**
 * A Markdown table; cells are already-rendered inline Markdown. GitHub splits cells at every
 * unescaped `|`, even inside code spans, so those are escaped here (it shows them as `|`).
 */
export function mdTable(headers: string[], rows: string[][]): string {
  // A pipe after an even number of backslashes is unescaped. Most cells hold neither a line break
  // nor a pipe: nothing to replace.
  const cell = (c: string): string =>
    c.includes('\n') || c.includes('|') ? c.replace(/\n/g, ' ').replace(/(\\*)\|/g, (m, slashes: string) => (slashes.length % 2 === 0 ? `${slashes}\\|` : m)) : c;
  const line = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** An explicit anchor for a heading (GitHub and most renderers honour `<a id>`). */
export function mdAnchor(id: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`unsafe anchor id ${id}`);
  return `<a id="${id}"></a>`;
}

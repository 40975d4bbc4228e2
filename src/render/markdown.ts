/**
 * Markdown output helpers. User text is escaped so it renders as text: no live HTML, no links
 * or images it did not ask for, no table breakage; link targets must be http(s), relative or anchors.
 */

/** Escape text for inline Markdown (also safe inside a table cell). */
export function mdText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\\`*_{}[\]()#+!|<>~&"]/g, (c) => {
      switch (c) {
        case '<':
          return '&lt;';
        case '>':
          return '&gt;';
        case '&':
          return '&amp;';
        case '"':
          return '&quot;';
        default:
          return `\\${c}`;
      }
    })
    .replace(/^([-=]+|\d+\.)(?=\s|$)/gm, (m) => m.replace(/[-=.]/g, (c) => `\\${c}`))
    .replace(/\n/g, ' ');
}

/** Multi-line user prose: each line escaped, line breaks kept as paragraphs. */
export function mdProse(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => mdText(line))
    .join('\n');
}

/** Inline code span that survives any backticks in the content. */
export function mdCode(text: string): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ');
  let fence = '`';
  while (oneLine.includes(fence)) fence += '`';
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${oneLine.replace(/\|/g, '\\|')}${pad}${fence}`;
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

/** A Markdown table; cells are already-rendered Markdown. */
export function mdTable(headers: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map((c) => c.replace(/\n/g, ' ')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** An explicit anchor for a heading (GitHub and most renderers honour `<a id>`). */
export function mdAnchor(id: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`unsafe anchor id ${id}`);
  return `<a id="${id}"></a>`;
}

/**
 * User Markdown (rollback plans, remediation, criteria, descriptions, preset text) placed into the
 * generated Markdown. It stays Markdown: lists, emphasis, http(s) links, tables, and above all
 * fenced code blocks and code spans, whose bytes are never touched, so a command copies out
 * verbatim. What could hurt the reader or break the document around it is neutralised:
 *
 * - raw HTML (blocks, inline tags, comments): its `<` becomes `&lt;`, so it shows as text;
 * - links, images, autolinks and link reference definitions whose target is not http(s), mailto
 *   or relative (`javascript:`, `data:`, `vbscript:`, ...): the `[` or `<` that opens them is
 *   escaped, so they show as text;
 * - headings (ATX and setext), which would add sections and anchors to the runbook: escaped;
 * - an unclosed fenced code block, which would swallow the rest of the document: closed.
 *
 * The text is parsed by micromark with the GFM extensions (what GitHub renders), and only the
 * characters that start one of those constructs are edited; the result is parsed again until
 * nothing is left to neutralise. The source positions micromark reports make this an edit of the
 * user's own bytes, never a re-rendering.
 */
import { parse, postprocess, preprocess } from 'micromark';
import { gfm } from 'micromark-extension-gfm';
import { decodeString } from 'micromark-util-decode-string';
import type { Event, Token } from 'micromark-util-types';
import { boundedCache } from '../util/memo';
import { mdText } from './markdown';

interface Edit {
  at: number;
  /** Characters replaced at `at` (0 = insert). */
  remove: number;
  insert: string;
}

/** A parsed token with its children, rebuilt from micromark's flat enter/exit event list. */
interface Node {
  type: string;
  start: number;
  end: number;
  children: Node[];
}

/** Built once: building the GFM extensions costs more than parsing a paragraph. */
let extensions: ReturnType<typeof gfm>[] | undefined;

function tree(text: string): Node {
  extensions ??= [gfm()];
  const events: Event[] = postprocess(parse({ extensions }).document().write(preprocess()(text, undefined, true)));
  const root: Node = { type: 'root', start: 0, end: text.length, children: [] };
  const stack = [root];
  for (const [kind, token] of events) {
    if (kind === 'enter') {
      const node = { type: (token as Token).type, start: token.start.offset, end: token.end.offset, children: [] };
      stack[stack.length - 1]!.children.push(node);
      stack.push(node);
    } else stack.pop();
  }
  return root;
}

const find = (n: Node, type: string): Node | undefined => {
  for (const c of n.children) {
    if (c.type === type) return c;
    const inner = find(c, type);
    if (inner) return inner;
  }
  return undefined;
};

const CONTAINERS = new Set(['listOrdered', 'listUnordered', 'blockQuote', 'gfmFootnoteDefinition']);

/**
 * A link target a reader may follow: http(s), mailto, or a relative path or anchor. Browsers drop
 * tabs, line breaks and leading control characters before reading the scheme, so those are
 * dropped here too before looking for one.
 */
export function isSafeUserUrl(url: string): boolean {
  const cleaned = url.replace(/[\u0000-\u0020\u007f]/g, '');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(cleaned)?.[1]?.toLowerCase();
  return scheme === undefined || scheme === 'http' || scheme === 'https' || scheme === 'mailto';
}

/** One pass: the edits that neutralise what this parse of `text` finds, and the parse. */
function findEdits(text: string): { edits: Edit[]; root: Node } {
  const edits: Edit[] = [];
  const escapeAt = (at: number): void => void edits.push({ at, remove: 0, insert: '\\' });
  const visit = (n: Node, ancestors: Node[]): void => {
    switch (n.type) {
      case 'htmlFlow':
      case 'htmlText':
        edits.push({ at: text.indexOf('<', n.start), remove: 1, insert: '&lt;' });
        return;
      case 'autolink': {
        const protocol = find(n, 'autolinkProtocol');
        if (protocol && !isSafeUserUrl(text.slice(protocol.start, protocol.end))) edits.push({ at: text.indexOf('<', n.start), remove: 1, insert: '&lt;' });
        return;
      }
      case 'link':
      case 'image': {
        // A reference to an unsafe definition stops resolving once the definition is escaped.
        const destination = find(n, 'resourceDestinationString');
        if (destination && !isSafeUserUrl(decodeString(text.slice(destination.start, destination.end)))) {
          const label = n.children.find((c) => c.type === 'label');
          const marker = label && find(label, n.type === 'image' ? 'labelImageMarker' : 'labelMarker');
          if (marker) escapeAt(n.type === 'image' ? marker.end : marker.start);
        }
        break;
      }
      case 'definition': {
        const destination = find(n, 'definitionDestinationString');
        if (!destination || !isSafeUserUrl(decodeString(text.slice(destination.start, destination.end)))) escapeAt(text.indexOf('[', n.start));
        return;
      }
      case 'atxHeadingSequence':
      case 'setextHeadingLineSequence':
        escapeAt(n.start);
        return;
      case 'codeFenced': {
        // Closed here, or by the end of the list item or quote around it.
        const fences = n.children.filter((c) => c.type === 'codeFencedFence');
        if (fences.length === 1 && !ancestors.some((a) => CONTAINERS.has(a.type))) {
          const sequence = find(fences[0]!, 'codeFencedFenceSequence')!;
          edits.push({ at: text.length, remove: 0, insert: `${text.endsWith('\n') ? '' : '\n'}${text.slice(sequence.start, sequence.end)}` });
        }
        return; // code: never edited
      }
      case 'codeIndented':
      case 'codeText':
        return;
    }
    for (const c of n.children) visit(c, [...ancestors, n]);
  };
  const root = tree(text);
  visit(root, []);
  return { edits, root };
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  // From the end, so earlier offsets stay valid; one edit per position.
  const seen = new Set<number>();
  for (const e of [...edits].sort((a, b) => b.at - a.at)) {
    if (seen.has(e.at)) continue;
    seen.add(e.at);
    out = out.slice(0, e.at) + e.insert + out.slice(e.at + e.remove);
  }
  return out;
}

export interface Sanitized {
  md: string;
  /** Its top-level blocks (a `content` token holds definitions and a paragraph). */
  blocks: string[];
}

/**
 * Sanitised text by source. Preset text repeats in every migration; a definition's own titles and
 * remediation do not, so the cache is bounded (it was a plain Map: it grew with every distinct
 * definition of a run, and for as long as a library user's process lives).
 */
const cache = boundedCache<Sanitized>(2000);

const topBlocks = (root: Node): string[] =>
  root.children.flatMap((n) => (n.type === 'content' ? n.children.map((c) => c.type) : [n.type])).filter((t) => t !== 'lineEnding' && t !== 'lineEndingBlank');

/**
 * One line that micromark reads as one paragraph in which nothing needs neutralising, so the parse
 * can be skipped. It starts with a letter, with one or two backticks (an inline code span: a fence
 * takes three), or with digits not followed by `.` or `)` (`30 min`, not the list item `1.`); it
 * holds no `[` (links, images, definitions) and no `<` but one followed by a space, a tab, `= ` or
 * the end (`lag < 5 s`, `<= 1,000 rows`: HTML and autolinks need a letter, `/`, `!`, `?` or an
 * e-mail address right after the `<`, none of them with a space). Headings, fences, lists, quotes
 * and thematic breaks start with what such a line does not, and a setext heading needs a second
 * line. Most preset and definition text is like this, and skipping the parse for it is most of
 * the runbook's rendering time. Unit tests check the claim against the parser.
 */
const PLAIN_LINE = /^(?:[A-Za-z]|`{1,2}(?!`)|[0-9]+(?![0-9.)]))(?:[^\n<[]|<(?==?(?:[ \t]|$)))*$/;
export const isPlainParagraph = (source: string): boolean => PLAIN_LINE.test(source);

/** Sanitised user Markdown, unindented, with no leading or trailing blank lines. */
function sanitizeWithBlocks(text: string): Sanitized {
  const source = text.replace(/\r\n?/g, '\n').replace(/^(?:[ \t]*\n)+/, '').replace(/\s+$/, '');
  const hit = cache.get(source);
  if (hit !== undefined) return hit;
  const done = isPlainParagraph(source) ? { md: source, blocks: ['paragraph'] } : sanitizeByParsing(source);
  cache.set(source, done);
  return done;
}

/** What micromark makes of `source`, neutralised pass by pass (see the top of this file). */
export function sanitizeByParsing(source: string): Sanitized {
  let out = source;
  // Each pass only adds escapes; a neutralised construct can expose another (the inside of an
  // HTML block becomes paragraph text), so parse again until a pass finds nothing.
  for (let pass = 0; pass < 12; pass++) {
    const { edits, root } = findEdits(out);
    if (edits.length === 0) return { md: out, blocks: topBlocks(root) };
    out = applyEdits(out, edits);
  }
  // Not reached in practice: fall back to plain text, one escaped paragraph per line.
  const plain = source
    .split('\n')
    .map((l) => mdText(l))
    .filter((l) => l !== '');
  return { md: plain.join('\n\n'), blocks: plain.map(() => 'paragraph') };
}

const sanitize = (text: string): string => sanitizeWithBlocks(text).md;

/** Every line after the first indented by `indent` spaces (blank lines stay empty). */
function indentRest(md: string, indent: number): string {
  const pad = ' '.repeat(indent);
  return md
    .split('\n')
    .map((line, i) => (i === 0 || line === '' ? line : pad + line))
    .join('\n');
}

/** User Markdown as blocks of the generated document (separate them from what follows by a blank line). */
export function mdMarkdown(text: string): string {
  return sanitize(text);
}

/**
 * User Markdown as one item of a list whose marker is `marker` (e.g. `- [ ]`, `1.`). Block text is
 * indented under the item, so a fenced block renders inside it. When the text does not start with
 * a paragraph (a code block, a list), it starts on the line after the marker: on the marker line
 * it would be read as paragraph text.
 */
export function mdListItem(marker: string, text: string): string {
  const { md, blocks } = sanitizeWithBlocks(text);
  const indent = marker.startsWith('- ') || marker === '-' ? 2 : marker.length + 1;
  if (md === '') return marker;
  if (blocks[0] === 'paragraph') return `${marker} ${indentRest(md, indent)}`;
  return `${marker}\n${' '.repeat(indent)}${indentRest(md, indent)}`;
}

/**
 * `label` followed by user Markdown: on the same line when the Markdown is one paragraph
 * (`Requires: the pg_stat_statements extension`), else as blocks below it.
 */
export function mdAfterLabel(label: string, text: string): string {
  const { md, blocks } = sanitizeWithBlocks(text);
  if (md === '') return label;
  return blocks.length === 1 && blocks[0] === 'paragraph' ? `${label} ${md}` : `${label}\n\n${md}`;
}

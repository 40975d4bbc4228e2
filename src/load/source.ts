/**
 * Stage 1, load: read a definition file and parse it as safe YAML, keeping a map from
 * every value back to its line and column so later stages can point at the exact spot.
 *
 * Safety limits live here: file size, UTF-8, a single document, core-schema tags only,
 * duplicate keys, alias expansion and nesting depth.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, visit, type Document, type Node, type YAMLError } from 'yaml';
import type { Diagnostic } from '../diagnostics';
import { indentationProblem } from './indentation';
import type { At, PositionNode } from './positions';
import { loadDiagnostic, readDefinitionBytes } from './read';

export { MAX_FILE_BYTES, readDefinitionBytes } from './read';
export const MAX_DEPTH = 64;
const MAX_ALIAS_EXPANSION = 200;

export type PathSegment = string | number;
export type JsonPath = readonly PathSegment[];

export interface Position {
  line: number;
  column: number;
}

export interface SourceFile {
  /** Path as given by the user (used in messages). */
  file: string;
  text: string;
  /** Plain JS value of the document (undefined when it could not be parsed). */
  data: unknown;
  /** Position of the key (`part: 'key'`) or the value at a JSON path; falls back to the nearest parent. */
  locate(path: JsonPath, part?: 'key' | 'value'): Position;
  /**
   * Position of character `offset` of the string value at a JSON path (e.g. where in a signal's
   * `expr:` a PromQL problem is); the value's start when the scalar's layout cannot be mapped
   * (a folded block, a quoted string broken over lines).
   */
  locateIn(path: JsonPath, offset: number): Position;
  /** Every key's and value's position as plain JSON (positions.ts), for the result cache; only a parsed file has it. */
  positions?(): PositionNode;
}

export interface LoadResult {
  source?: SourceFile;
  diagnostics: Diagnostic[];
}

/** Read and parse one file from disk. */
export function loadFile(file: string): LoadResult {
  const read = readDefinitionBytes(file);
  return read.bytes ? parseSource(file, read.bytes) : { diagnostics: read.diagnostics };
}

/** Parse YAML text (or bytes) that claims to be a migration definition. */
export function parseSource(file: string, input: string | Uint8Array): LoadResult {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      const at = firstInvalidUtf8(input);
      return { diagnostics: [loadDiagnostic(file, at, 'file is not valid UTF-8 text', 'save the definition as UTF-8 YAML')] };
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lineCounter = new LineCounter();
  const posOf = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    return { diagnostics: [loadDiagnostic(file, positionAt(text, nul), 'file contains NUL bytes: it is binary, not YAML')] };
  }
  // Cheap pre-check so pathological nesting is refused before the recursive composer sees it.
  const deep = findDeepNesting(text);
  if (deep !== undefined) {
    lineCounter.addNewLine(0);
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineCounter.addNewLine(i + 1);
    return { diagnostics: [loadDiagnostic(file, posOf(deep), `nesting is deeper than ${MAX_DEPTH} levels`, 'a definition needs only a few levels; this looks like a malformed or hostile file')] };
  }

  const docs = parseAllDocuments(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
    version: '1.2',
    schema: 'core',
    merge: false,
    customTags: [],
  });
  const list = Array.isArray(docs) ? docs : [];
  if (list.length === 0 || (list.length === 1 && list[0]!.contents === null && list[0]!.errors.length === 0)) {
    return { diagnostics: [loadDiagnostic(file, { line: 1, column: 1 }, 'file is empty', 'start from `migobs init <id> --type <type>`')] };
  }
  const doc = list[0]!;
  const diagnostics: Diagnostic[] = [];
  // One syntax problem per file: the first is the cause, the rest are nearly always its echoes
  // (one tab makes every later key of that mapping "not start at the same column").
  const first = [...doc.errors, ...doc.warnings].sort((a, b) => a.pos[0] - b.pos[0])[0];
  if (first) diagnostics.push(syntaxDiagnostic(file, text, first, posOf));
  else if (list.length > 1) {
    const second = list[1]!;
    const start = second.range?.[0] ?? 0;
    diagnostics.push(loadDiagnostic(file, posOf(start), 'file holds more than one YAML document', 'put one migration per file; remove the `---` separator'));
  }
  if (diagnostics.length > 0) return { diagnostics };
  const unsafe = unsafeNodes(doc);
  if (unsafe.length > 0) return { diagnostics: unsafe.map((u) => loadDiagnostic(file, posOf(u.offset), u.message, u.hint)) };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/alias/i.test(msg)) {
      const alias = findFirstAlias(doc);
      return {
        diagnostics: [loadDiagnostic(file, posOf(alias), `aliases expand to too many nodes (limit ${MAX_ALIAS_EXPANSION}): refusing a possible "billion laughs" file`, 'use fewer aliases; write the repeated values out')],
      };
    }
    return { diagnostics: [loadDiagnostic(file, { line: 1, column: 1 }, `cannot read YAML: ${msg}`)] };
  }
  const source: SourceFile = {
    file,
    text,
    data,
    locate: (path, part = 'value') => posOf(offsetOf(doc, path, part)),
    locateIn: (path, offset) => posOf(offsetInScalar(doc, text, path, offset) ?? offsetOf(doc, path, 'value')),
    positions: () => positionIndex(doc, posOf),
  };
  return { source, diagnostics: [] };
}

/** The index of a whole document (`posOf` turns an offset into a position): SourceFile.positions. */
function positionIndex(doc: Document, posOf: (offset: number) => Position): PositionNode {
  const at = (offset: number): At => {
    const p = posOf(offset);
    return [p.line, p.column];
  };
  const walk = (node: unknown, start: number): PositionNode => {
    const out: PositionNode = { v: at(start) };
    if (isMap(node)) {
      out.m = [];
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const keyStart = (pair.key as Node).range?.[0] ?? start;
        const value = pair.value as Node | null;
        out.m.push([String(pair.key.value), at(keyStart), value ? walk(value, value.range?.[0] ?? keyStart) : null]);
      }
    } else if (isSeq(node)) {
      out.s = node.items.map((item) => (item ? walk(item, (item as Node).range?.[0] ?? start) : null));
    }
    return out;
  };
  const root = doc.contents as Node | null;
  return walk(root, root?.range?.[0] ?? 0);
}

/** Explicit tags that resolve to plain JSON values; anything else (!!set, !!binary, !!timestamp, !foo) is refused. */
const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));
/**
 * Control characters (except tab and line breaks), unpaired surrogates and bidi overrides: invisible
 * or reordering text. With the `u` flag a surrogate range matches only unpaired ones (a pair is one
 * code point), as \p{Cs} does; a property escape would have V8 build ICU's set for it at every start.
 */
const UNSAFE_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u{D800}-\u{DFFF}]/u;

/**
 * Things the YAML library accepts but a definition must not hold: tags that build non-JSON values
 * (a `!!set` would slip past the JSON Schema as an empty object), keys that are lists or mappings
 * (stringified by the library), and text with control characters, unpaired surrogates or bidi
 * overrides (they hide or reorder what a reviewer sees, and cannot be written as UTF-8).
 */
function unsafeNodes(doc: Document): Array<{ offset: number; message: string; hint?: string }> {
  const out: Array<{ offset: number; message: string; hint?: string }> = [];
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key)) {
        out.push({ offset: (pair.key as Node).range?.[0] ?? 0, message: 'a key must be plain text, not a list or mapping' });
      }
    },
    Node(_, node) {
      if (node.tag && !PLAIN_TAGS.has(node.tag)) {
        const shown = node.tag.replace('tag:yaml.org,2002:', '!!');
        out.push({ offset: node.range?.[0] ?? 0, message: `unsupported tag ${shown} (only plain YAML values are allowed; custom tags are refused)` });
      } else if (isScalar(node) && typeof node.value === 'string') {
        const m = UNSAFE_CHAR.exec(node.value);
        if (m) {
          const cp = m[0].codePointAt(0)!;
          out.push({
            offset: node.range?.[0] ?? 0,
            message: `text contains the invisible or unsafe character U+${cp.toString(16).toUpperCase().padStart(4, '0')} at character ${m.index + 1}`,
            hint: 'remove control characters, unpaired \\u surrogate escapes and bidi overrides',
          });
        }
      }
    },
  });
  return out;
}

/** Line and column of an offset, counted directly (for refusals before the YAML parser runs). */
function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Codes the parser reports for a line indented wrongly (or for what such a line does to its neighbours). */
const INDENT_CODES = new Set(['TAB_AS_INDENT', 'BAD_INDENT', 'MISSING_CHAR', 'BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY', 'UNEXPECTED_TOKEN']);

/** The one diagnostic for a file the parser refused, in words a newcomer can act on. */
function syntaxDiagnostic(file: string, text: string, err: YAMLError, posOf: (offset: number) => Position): Diagnostic {
  const at = posOf(err.pos[0]);
  if (INDENT_CODES.has(err.code)) {
    const p = indentationProblem(text, at.line);
    if (p) return loadDiagnostic(file, { line: p.line, column: p.column }, p.message, p.hint);
  }
  if (err.code === 'DUPLICATE_KEY') {
    const dup = duplicateKey(text, err.pos[0], posOf);
    if (dup) return loadDiagnostic(file, dup.at, `duplicate key \`${dup.key}\`: it is already set on line ${dup.first.line}`, 'each key may appear only once in a mapping: keep one of the two and delete the other');
  }
  if (err.code === 'TAB_AS_INDENT') return loadDiagnostic(file, at, `line ${at.line} is indented with a tab: YAML indentation must be spaces`, 'replace the tab with spaces');
  return loadDiagnostic(file, at, yamlMessage(err.code, err.message));
}

/** The repeated key nearest `offset`, where it repeats and where it first appears (read again without the uniqueness check). */
function duplicateKey(text: string, offset: number, posOf: (offset: number) => Position): { key: string; at: Position; first: Position } | undefined {
  const doc = parseDocument(text, { uniqueKeys: false, strict: false, version: '1.2', schema: 'core', merge: false, customTags: [] });
  let best: { key: string; start: number; first: number } | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, number>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        const start = pair.key.range?.[0] ?? -1;
        const prev = seen.get(key);
        if (prev === undefined) seen.set(key, start);
        else if (!best || Math.abs(start - offset) < Math.abs(best.start - offset)) best = { key, start, first: prev };
      }
    },
  });
  return best && { key: best.key, at: posOf(best.start), first: posOf(best.first) };
}

function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'duplicate key: each key may appear only once in a mapping';
    case 'TAG_RESOLVE_FAILED':
      return `${first.replace('Unresolved tag: tag:yaml.org,2002:', 'unsupported tag !!').replace('Unresolved tag:', 'unsupported tag')} (only plain YAML values are allowed; custom tags are refused)`;
    case 'TAB_AS_INDENT':
      return 'tab used for indentation: YAML indentation must be spaces';
    case 'MISSING_CHAR':
    case 'BAD_SCALAR_START':
    case 'UNEXPECTED_TOKEN':
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
    case 'BAD_INDENT':
      return `invalid YAML: ${first}`;
    default:
      if (/call stack/i.test(first)) return `nesting is deeper than ${MAX_DEPTH} levels`;
      return `invalid YAML: ${first}`;
  }
}

/** Offset of the first place whose flow-bracket depth or indentation exceeds the limit. */
function findDeepNesting(text: string): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  let lineStart = true;
  let indent = 0;
  let dashes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      lineStart = true;
      indent = 0;
      dashes = 0;
      if (quote === "'" || quote === '"') continue;
      continue;
    }
    if (lineStart) {
      if (c === ' ') {
        indent++;
        if (indent > MAX_DEPTH * 8) return i;
        continue;
      }
      if (c === '-' && (text[i + 1] === ' ' || text[i + 1] === '\n')) {
        dashes++;
        if (dashes > MAX_DEPTH) return i;
        indent++;
        continue;
      }
      lineStart = false;
    }
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl - 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const prev = text[i - 1];
      if (prev === undefined || /[\s[{,:]/.test(prev)) quote = c;
    } else if (c === '[' || c === '{') {
      depth++;
      if (depth > MAX_DEPTH) return i;
    } else if (c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

function findFirstAlias(doc: Document): number {
  let found: number | undefined;
  const visit = (node: unknown): void => {
    if (found !== undefined || !node || typeof node !== 'object') return;
    const n = node as { range?: [number, number]; source?: string; items?: unknown[]; key?: unknown; value?: unknown };
    if (isAlias(node) && n.range) {
      found = n.range[0];
      return;
    }
    if (Array.isArray(n.items)) n.items.forEach(visit);
    if ('key' in n) visit(n.key);
    if ('value' in n) visit(n.value);
  };
  visit(doc.contents);
  return found ?? 0;
}

function offsetOf(doc: Document, path: JsonPath, part: 'key' | 'value'): number {
  let node: unknown = doc.contents;
  let best = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return best;
      const keyStart = (pair.key as Node).range?.[0] ?? best;
      if (last && part === 'key') return keyStart;
      const value = pair.value as Node | null;
      best = value?.range?.[0] ?? keyStart;
      if (!value) return keyStart;
      node = value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)] as Node | undefined;
      if (!item) return best;
      best = item.range?.[0] ?? best;
      node = item;
    } else {
      return best;
    }
  }
  return best;
}

/** Offset in the file of character `offset` of a string scalar's value, when its layout maps 1:1. */
function offsetInScalar(doc: Document, text: string, path: JsonPath, offset: number): number | undefined {
  const node = doc.getIn(path, true);
  if (!isScalar(node) || !node.range || typeof node.value !== 'string' || offset < 0 || offset > node.value.length) return undefined;
  const [start, end] = node.range;
  const raw = text.slice(start, end);
  switch (node.type) {
    case 'PLAIN':
      return raw.includes('\n') ? undefined : start + offset;
    case 'QUOTE_SINGLE':
    case 'QUOTE_DOUBLE': {
      // Walk the source: one value character per plain character, per `''`, per `\` escape.
      let k = 0;
      for (let j = 1; j < raw.length; ) {
        if (k === offset) return start + j;
        const c = raw[j]!;
        if (c === '\n' || c === '\r') return undefined;
        if (node.type === 'QUOTE_SINGLE') j += c === "'" && raw[j + 1] === "'" ? 2 : 1;
        else if (c === '\\') j += raw[j + 1] === 'x' ? 4 : raw[j + 1] === 'u' ? 6 : raw[j + 1] === 'U' ? 10 : 2;
        else j += 1;
        k += 1;
      }
      return undefined;
    }
    case 'BLOCK_LITERAL': {
      // `|` header, then lines indented by the first content line's indentation.
      const lines = raw.split('\n').slice(1);
      const indent = /^ */.exec(lines.find((l) => l.trim() !== '') ?? '')![0].length;
      const before = node.value.slice(0, offset).split('\n');
      const line = before.length - 1;
      if (line >= lines.length) return undefined;
      let at = start + raw.indexOf('\n') + 1;
      for (let i = 0; i < line; i++) at += lines[i]!.length + 1;
      return at + indent + before[line]!.length;
    }
    default:
      return undefined;
  }
}

function firstInvalidUtf8(bytes: Uint8Array): Position {
  let line = 1;
  let col = 1;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    let len = 0;
    if (b < 0x80) len = 1;
    else if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) len = 3;
    else if (b >= 0xf0 && b <= 0xf4) len = 4;
    if (len === 0 || i + len > bytes.length) return { line, column: col };
    for (let k = 1; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return { line, column: col };
    if (b === 0x0a) {
      line++;
      col = 1;
    } else col++;
    i += len;
  }
  return { line, column: col };
}

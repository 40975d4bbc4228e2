/**
 * A direct YAML emitter for plain data (objects, arrays, strings, numbers, booleans, null): the
 * same bytes as the yaml library (2.9.1) writes for `new Document(data)` with the options
 * serialize.ts uses (block style, lineWidth 0, plain strings where the YAML 1.2 core schema reads
 * them back as the same string), without building a document tree first. The large generated
 * files (promtool tests, rules) spend most of their serialising time in that tree.
 *
 * Each branch below mirrors a decision of yaml/dist/stringify/* for that configuration (named
 * in the comments); test/unit/yaml-emit.test.ts proves byte identity on the golden, hostile and
 * fuzz corpora, except where the library's own bytes do not read back as the data: a lone space
 * between two line breaks in a folded double-quoted string (see doubleQuoted). Anything that is
 * not plain data (class instances, Map, Date, bigint, objects with toJSON, a scalar at the root)
 * throws YamlEmitUnsupported and serialize.ts falls back to the library for the whole document.
 */

export class YamlEmitUnsupported extends Error {}

const STEP = '  ';

/** Strings written double-quoted: serialize.ts forces these (Go's YAML reader), the library forces control characters and lone surrogates. */
const FORCE_DOUBLE = /[\t\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\u{d800}-\u{dfff}]/u;
/** Characters Go's YAML treats as line breaks or drops: written as escapes inside double quotes. */
const GO_BREAKS = /[\u0085\u2028\u2029\ufeff]/g;
const GO_ESCAPES: Record<string, string> = { '\u0085': '\\N', '\u2028': '\\L', '\u2029': '\\P', '\ufeff': '\\uFEFF' };

/** plainString: what a plain scalar may not look like (leading indicators, `: `, ` #`, trailing space or `:`, ...). */
const PLAIN_FORBIDDEN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** containsDocumentMarker. */
const DOC_MARKER = /^(%|---|\.\.\.)/m;
/** The tests of the core schema's non-string tags (null, bool, int, float): a plain scalar matching one is not read as a string. */
const CORE_NOT_STRING = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
/** A fast path for the common case (identifiers, label names, durations, metric names): a plain scalar for certain when not a core-schema word. */
const SIMPLE_PLAIN = /^[A-Za-z_][A-Za-z0-9_./=-]*$/;
const CORE_WORDS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);
/** CORE_WORDS.has, without hashing a long string (every core word has four or five characters). */
const isCoreWord = (value: string): boolean => value.length <= 5 && value.length >= 4 && CORE_WORDS.has(value);

/**
 * The scalars of the document being emitted, by value: a generated file repeats many strings (a
 * promtool test's ALERTS query at every eval time, the same input series in many test groups),
 * and a single-line value is written the same wherever it stands (only line breaks bring the
 * indentation in), so each is looked at once per document.
 */
let written: Map<string, string> | undefined;

/** The body of a YAML document (with its final newline) for a mapping or sequence at the root. */
export function emitYamlDocument(data: unknown): string {
  if (!isPlainArray(data) && !isPlainObject(data)) throw new YamlEmitUnsupported('the root is not a mapping or sequence');
  const outer = written;
  written = new Map();
  try {
    return emitNode(data, '') + '\n';
  } finally {
    written = outer;
  }
}

/** A string value (not a key): remembered for the document when it is on one line. */
function emitValueString(value: string, indent: string): string {
  if (SIMPLE_PLAIN.test(value) && !isCoreWord(value)) return value;
  if (written === undefined || value.includes('\n')) return emitString(value, indent, false);
  let out = written.get(value);
  if (out === undefined) written.set(value, (out = emitString(value, indent, false)));
  return out;
}

function isPlainArray(v: unknown): v is unknown[] {
  return Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  // createNode calls toJSON on objects no tag identifies.
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/** A value node at `indent` (the context indent the library would use for it). */
function emitNode(v: unknown, indent: string): string {
  switch (typeof v) {
    case 'string':
      return emitValueString(v, indent);
    case 'number':
      return emitNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'null'; // an array hole or undefined item (the null tag's createNode)
    case 'object':
      if (v === null) return 'null';
      if (isPlainArray(v)) return emitSeq(v, indent);
      if (isPlainObject(v)) return emitMap(v, indent);
  }
  throw new YamlEmitUnsupported(`unsupported value of type ${typeof v}`);
}

/** stringifyNumber without format or minFractionDigits. */
function emitNumber(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '.nan' : n < 0 ? '-.inf' : '.inf';
  return Object.is(n, -0) ? '-0' : JSON.stringify(n);
}

/** YAMLSeq.toString + stringifyBlockCollection: `- item` lines; items at indent + 2; `[]` when empty. */
function emitSeq(items: unknown[], indent: string): string {
  const n = items.length;
  if (n === 0) return '[]';
  const itemIndent = indent + STEP;
  const sep = '\n' + indent + '- ';
  let out = '- ' + emitNode(items[0], itemIndent);
  for (let i = 1; i < n; i++) out += sep + emitNode(items[i], itemIndent);
  return out;
}

/** YAMLMap.toString + stringifyPair: `key: value` lines, undefined values left out; `{}` when empty. */
function emitMap(obj: Record<string, unknown>, indent: string): string {
  const inner = indent + STEP;
  const sep = '\n' + indent;
  let out = '';
  let first = true;
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (value === undefined) continue;
    let str = emitString(key, inner, true);
    // stringifyPair: an implicit key may not span more than 1024 characters.
    const explicitKey = str.length > 1024;
    str = explicitKey ? `? ${str}\n${indent}:` : `${str}:`;
    const valueStr = emitNode(value, inner);
    if (!explicitKey && value !== null && typeof value === 'object' && valueStr !== '[]' && valueStr !== '{}') {
      // a non-empty block collection starts on the next line
      str += '\n' + inner + valueStr;
    } else {
      str += ' ' + valueStr;
    }
    out += first ? str : sep + str;
    first = false;
  }
  return first ? '{}' : out;
}

/** stringifyString for a scalar at `indent`, as a key (implicitKey) or a value. */
function emitString(value: string, indent: string, implicitKey: boolean): string {
  if (SIMPLE_PLAIN.test(value) && !isCoreWord(value)) return value;
  if (FORCE_DOUBLE.test(value)) return doubleQuoted(value, indent, implicitKey);
  return plain(value, indent, implicitKey);
}

/** plainString (type unset, defaultStringType/defaultKeyType PLAIN, never in a flow collection, indent never empty). */
function plain(value: string, indent: string, implicitKey: boolean): string {
  const multiline = value.includes('\n');
  if (implicitKey && multiline) return quoted(value, indent, implicitKey);
  if (PLAIN_FORBIDDEN.test(value)) return implicitKey || !multiline ? quoted(value, indent, implicitKey) : block(value, indent);
  if (!implicitKey && multiline) return block(value, indent);
  // A key at the first level that a YAML 1.1 reader could take for a document marker.
  if (implicitKey && indent === STEP && DOC_MARKER.test(value)) return quoted(value, indent, implicitKey);
  if (mayReadAsCore(value)) for (const re of CORE_NOT_STRING) if (re.test(value)) return quoted(value, indent, implicitKey);
  return value;
}

/** Only the empty string, the core words and text starting with `~`, a sign, `.` or a digit can match CORE_NOT_STRING. */
function mayReadAsCore(value: string): boolean {
  const c = value.charCodeAt(0);
  return value === '' || c === 0x2b || c === 0x2d || c === 0x2e || (c >= 0x30 && c <= 0x39) || c === 0x7e || isCoreWord(value);
}

/** quotedString with singleQuote unset: single quotes when the value has `"` but no `'`, else double. */
function quoted(value: string, indent: string, implicitKey: boolean): string {
  if (value.includes('"') && !value.includes("'")) return singleQuoted(value, indent, implicitKey);
  return doubleQuoted(value, indent, implicitKey);
}

/** singleQuotedString (the value holds no `'`). */
function singleQuoted(value: string, indent: string, implicitKey: boolean): string {
  if ((implicitKey && value.includes('\n')) || /[ \t]\n|\n[ \t]/.test(value)) return doubleQuoted(value, indent, implicitKey);
  return "'" + value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`) + "'";
}

/** The first position from `from` on holding a backslash, or a space right before one; the length when there is none. */
function nextEscape(json: string, from: number): number {
  const b = json.indexOf('\\', from);
  if (b < 0) return json.length;
  return b > from && json[b - 1] === ' ' ? b - 1 : b;
}

/** doubleQuotedString (doubleQuotedMinMultiLineLength 40, no folding at lineWidth 0), then serialize.ts's escapes for Go's line breaks. */
function doubleQuoted(value: string, indent: string, implicitKey: boolean): string {
  const json = JSON.stringify(value);
  let str = '';
  let start = 0;
  // The position of a space already escaped as the first character after a folded line break.
  let escapedSpace = -1;
  // Only a backslash, or a space before one, can need anything: jump from one to the next (most
  // text has none; the rule tests' long case names and alert descriptions were a per-character loop).
  for (let i = nextEscape(json, 0), ch = json[i]; ch; ch = json[(i = nextEscape(json, i + 1))]) {
    if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
      // space before newline needs to be escaped to not be folded. Not twice: the library (2.9.1)
      // escapes a lone space between two line breaks both as "after" and as "before" one, and
      // `\\ ` reads back as a backslash. Here, and only here, the bytes differ from the library's.
      str += json.slice(start, i) + (escapedSpace === i ? ' ' : '\\ ');
      i += 1;
      start = i;
      ch = '\\';
    }
    if (ch === '\\') {
      switch (json[i + 1]) {
        case 'u': {
          str += json.slice(start, i);
          const code = json.substr(i + 2, 4);
          switch (code) {
            case '0000':
              str += '\\0';
              break;
            case '0007':
              str += '\\a';
              break;
            case '000b':
              str += '\\v';
              break;
            case '001b':
              str += '\\e';
              break;
            case '0085':
              str += '\\N';
              break;
            case '00a0':
              str += '\\_';
              break;
            case '2028':
              str += '\\L';
              break;
            case '2029':
              str += '\\P';
              break;
            default:
              if (code.substr(0, 2) === '00') str += '\\x' + code.substr(2);
              else str += json.substr(i, 6);
          }
          i += 5;
          start = i + 1;
          break;
        }
        case 'n':
          if (implicitKey || json[i + 2] === '"' || json.length < 40) {
            i += 1;
          } else {
            // folding will eat first newline
            str += json.slice(start, i) + '\n\n';
            while (json[i + 2] === '\\' && json[i + 3] === 'n' && json[i + 4] !== '"') {
              str += '\n';
              i += 2;
            }
            str += indent;
            // space after newline needs to be escaped to not be folded
            if (json[i + 2] === ' ') {
              str += '\\';
              escapedSpace = i + 2;
            }
            i += 1;
            start = i + 1;
          }
          break;
        default:
          i += 1;
      }
    }
  }
  str = start ? str + json.slice(start) : json;
  return str.replace(GO_BREAKS, (c) => GO_ESCAPES[c]!);
}

// blockEndNewlines of stringifyString.
const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;

/** blockString as a literal (`|`): lineWidth 0 never folds; chomping and indentation indicators from the value's ends. */
function block(value: string, indent: string): string {
  // A block can't end in whitespace unless the last line is non-empty.
  if (/\n[\t ]+$/.test(value)) return quoted(value, indent, false);
  let endStart: number;
  for (endStart = value.length; endStart > 0; --endStart) {
    const ch = value[endStart - 1];
    if (ch !== '\n' && ch !== '\t' && ch !== ' ') break;
  }
  let end = value.substring(endStart);
  const endNlPos = end.indexOf('\n');
  let chomp: string;
  if (endNlPos === -1) chomp = '-';
  else if (value === end || endNlPos !== end.length - 1) chomp = '+';
  else chomp = '';
  if (end) {
    value = value.slice(0, -end.length);
    if (end[end.length - 1] === '\n') end = end.slice(0, -1);
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  let startWithSpace = false;
  let startEnd: number;
  let startNlPos = -1;
  for (startEnd = 0; startEnd < value.length; ++startEnd) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNlPos = startEnd;
    else break;
  }
  let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  // the indentation indicator is 2 for every non-root block scalar
  const header = (startWithSpace ? '2' : '') + chomp;
  value = value.replace(/\n+/g, `$&${indent}`);
  return `|${header}\n${indent}${start}${value}${end}`;
}

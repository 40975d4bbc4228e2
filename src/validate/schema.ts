/**
 * Stage 2, validate (structure): check a parsed definition against the JSON Schema.
 * The validator is compiled ahead of time by `npm run build` (ajv standalone), so no schema
 * compilation happens at run time. ajv's errors become located, readable diagnostics.
 */
import type { Diagnostic } from '../diagnostics';
import type { JsonPath, SourceFile } from '../load/source';
import { didYouMean } from '../util/suggest';
// Generated at build time from scripts/schema-source.mjs.
import validateSchema from '../generated/schema-validator';

interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  /** Set by ajv on errors from `propertyNames`: the offending key. */
  propertyName?: string;
  parentSchema?: { description?: string; properties?: Record<string, unknown>; enum?: unknown[] };
}

type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

const FRIENDLY_PATTERN: Record<string, string> = {
  id: 'must be lower-case letters, digits and dashes, 1-40 characters, starting and ending with a letter or digit',
  duration: 'must be a Prometheus duration such as 30s, 2m or 1h30m',
  url: 'must be an http(s) URL',
  signalName: 'must be a signal name: a letter, then letters, digits or underscores (at most 63)',
  timestamp: 'must be an RFC 3339 time with an offset, such as 2027-01-12T21:00:00+01:00 or 2027-01-12T20:00:00Z',
};

export function validateStructure(source: SourceFile): Diagnostic[] {
  const data = source.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const got = data === null || data === undefined ? 'nothing' : Array.isArray(data) ? 'a list' : `a ${typeof data}`;
    return [
      {
        file: source.file,
        ...source.locate([]),
        severity: 'error',
        check: 'schema',
        message: `a definition must be a mapping with apiVersion, kind, metadata and spec; got ${got}`,
        hint: 'start from `migobs init <id> --type <type>`',
      },
    ];
  }
  const validate = validateSchema as unknown as Validator;
  if (validate(data)) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const err of validate.errors ?? []) {
    const d = toDiagnostic(source, err);
    if (!d) continue;
    const key = `${d.line}:${d.column}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

function parsePointer(pointer: string): JsonPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/** `spec.gates[0].pause` */
export function displayPath(path: JsonPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (!Number.isFinite(value)) return value > 0 ? 'infinity' : '-infinity';
    return `number ${value}`;
  }
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value)}`;
  return `${typeof value} ${String(value)}`;
}

function valueAt(data: unknown, path: JsonPath): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function patternKind(path: JsonPath, pattern: string): string {
  if (pattern.includes('[0-9]+y')) return 'duration';
  if (pattern.startsWith('^https?')) return 'url';
  if (pattern.startsWith('^[A-Za-z][A-Za-z0-9_]')) return 'signalName';
  if (pattern.startsWith('^[a-z0-9]')) return 'id';
  if (pattern.startsWith('^[0-9]{4}-')) return 'timestamp';
  return String(path[path.length - 1] ?? '');
}

function toDiagnostic(source: SourceFile, err: AjvError): Diagnostic | undefined {
  const path = parsePointer(err.instancePath);
  const where = displayPath(path) || 'the document';
  const value = valueAt(source.data, path);
  const mk = (at: JsonPath, part: 'key' | 'value', message: string, hint?: string): Diagnostic => ({
    file: source.file,
    ...source.locate(at, part),
    severity: 'error',
    check: 'schema',
    message,
    ...(hint ? { hint } : {}),
  });
  const last = path[path.length - 1];
  const label = typeof last === 'string' ? `\`${last}\`` : where;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(err.params.additionalProperty);
      const allowed = Object.keys(err.parentSchema?.properties ?? {});
      return mk([...path, key], 'key', `unknown key \`${key}\` in ${where}${didYouMean(key, allowed)}`, allowed.length ? `allowed keys: ${allowed.join(', ')}` : undefined);
    }
    case 'required': {
      const key = String(err.params.missingProperty);
      return mk(path, path.length ? 'key' : 'value', `${where} is missing the required key \`${key}\``);
    }
    case 'type': {
      const pattern = (err.parentSchema as { pattern?: string } | undefined)?.pattern;
      if (pattern !== undefined && patternKind(path, pattern) === 'duration' && typeof value === 'number') {
        return mk(path, 'value', `${label} ${FRIENDLY_PATTERN.duration}; got ${describe(value)}`, durationHint(value));
      }
      const hint = err.params.type === 'number' && typeof value === 'string' ? numberHint(value) : undefined;
      return mk(path, 'value', `${label} must be ${article(String(err.params.type))}, got ${describe(value)}`, hint);
    }
    case 'enum': {
      const allowed = (err.params.allowedValues as unknown[]).map(String);
      return mk(path, 'value', `${label} must be one of ${allowed.join(', ')}; got ${describe(value)}${typeof value === 'string' ? didYouMean(value, allowed) : ''}`);
    }
    case 'const':
      return mk(path, 'value', `${label} must be \`${String(err.params.allowedValue)}\`, got ${describe(value)}`, path[0] === 'apiVersion' && typeof value === 'string' && value !== 'migobs/v1' ? 'this is not a migobs definition (apiVersion: migobs/v1, kind: Migration)' : undefined);
    case 'pattern': {
      const kind = patternKind(path, String(err.params.pattern));
      // A key that fails `propertyNames` (e.g. a signal name): name the key, not its mapping.
      if (err.propertyName !== undefined) {
        return mk([...path, err.propertyName], 'key', `${typeof last === 'string' ? `key in \`${last}\`` : where} ${FRIENDLY_PATTERN[kind] ?? `must match ${String(err.params.pattern)}`}; got ${describe(err.propertyName)}`);
      }
      return mk(path, 'value', `${label} ${FRIENDLY_PATTERN[kind] ?? `must match ${String(err.params.pattern)}`}; got ${describe(value)}`);
    }
    case 'propertyNames':
      return undefined; // reported by the nested pattern error
    case 'minLength':
      return mk(path, 'value', Number(err.params.limit) === 1 ? `${label} must not be empty` : `${label} is too short (at least ${String(err.params.limit)} characters)`);
    case 'maxLength':
      return mk(path, 'value', `${label} is too long (at most ${String(err.params.limit)} characters)`);
    case 'maxItems':
      return mk(path, 'value', `${label} has too many items (at most ${String(err.params.limit)})`);
    case 'maxProperties':
      return mk(path, 'value', `${label} has too many entries (at most ${String(err.params.limit)})`);
    default:
      return mk(path, 'value', `${where} ${err.message ?? 'is invalid'}`);
  }
}

/** `for: 10`: a bare number has no unit. */
function durationHint(value: number): string {
  return Number.isInteger(value) && value >= 0
    ? `a bare number has no unit: write \`${value}s\` for seconds or \`${value}m\` for minutes`
    : 'a duration is whole numbers with units, e.g. `90s` or `1m30s`';
}

const NUMBER = '[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?';
const QUOTED_NUMBER = new RegExp(`^\\s*(${NUMBER})\\s*$`);
const WITH_UNIT = new RegExp(`^\\s*(${NUMBER})\\s*([A-Za-z\u00b5%][A-Za-z\u00b5%/]*)\\s*$`);

/** `pause: "10"`, `pause: 3s`, `pause: 0.5%`: say what to write instead. */
function numberHint(value: string): string | undefined {
  if (QUOTED_NUMBER.test(value)) return 'remove the quotes: a threshold is a plain number';
  const m = WITH_UNIT.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2]!;
  if (unit === '%') {
    return `drop the %: thresholds are plain numbers in the signal's own unit; a ratio is 0..1, so ${m[1]}% is ${Number((n / 100).toPrecision(12))}, and a signal in percent takes ${m[1]}`;
  }
  return `drop the unit \`${unit}\` and write ${m[1]}: thresholds are plain numbers in the signal's own unit; a ratio is 0..1`;
}

function article(type: string): string {
  const t = type.replace(/,/g, ' or ');
  if (t === 'object') return 'a mapping';
  if (t === 'array') return 'a list';
  if (t === 'integer') return 'an integer';
  return `a ${t}`;
}

/**
 * Merge migration fragments (route subtree + inhibit rules) into an existing Alertmanager config.
 *
 * - The base's own routes, receivers and inhibit rules stay as they are, in order. The base is
 *   edited as a YAML document, not re-serialized from data, so its comments, anchors, quoting and
 *   scalar spellings (`yes`, `0777`) survive exactly as Alertmanager would read them.
 * - Each migration's route goes to the FRONT of `route.routes`, so it matches before any base route
 *   (the subtree has `continue: false`: base routes do not notify migration alerts a second time).
 * - Merging again replaces a migration's earlier route and inhibit rules instead of adding copies.
 * - Every receiver a migration names must already exist in the base.
 *
 * Parsing follows Alertmanager's reader (Go yaml.v2): YAML 1.1 scalars and merge keys (`<<`);
 * custom tags are refused and alias expansion is limited.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, YAMLSeq, type Document, type Node, type Scalar, type YAMLMap } from 'yaml';
import type { Diagnostic } from '../diagnostics';
import type { AlertmanagerFragment } from '../generate/alertmanager/fragment';
import { buildAlertmanagerFragment, migrationMatcher } from '../generate/alertmanager/fragment';
import type { Position } from '../load/source';
import type { LoadedMigration } from '../pipeline';
import { GENERATED_NOTE } from '../render/serialize';

const MAX_BASE_BYTES = 8 * 1024 * 1024;
const MAX_ALIAS_COUNT = 1000;

export interface BaseConfig {
  file: string;
  doc: Document;
  /** Receiver names defined in the base, as Alertmanager reads them. */
  receivers: string[];
  locate(path: (string | number)[]): Position;
}

export interface ReceiverRef {
  name: string;
  role: 'page' | 'notify';
  /** Where the name was set (or, when defaulted, the definition spot to blame). */
  file: string;
  line: number;
  column: number;
  /** `set in the definition`, `default from migobs.config.yaml`, ... */
  how: string;
}

/** One migration to merge. */
export interface MergeInput {
  migrationId: string;
  fragment: AlertmanagerFragment;
  receivers: ReceiverRef[];
}

export interface MergeResult {
  /** The merged config as YAML text, with a header comment. */
  text?: string;
  diagnostics: Diagnostic[];
}

const problem = (file: string, pos: Position, message: string, hint?: string): Diagnostic => ({
  file,
  line: pos.line,
  column: pos.column,
  severity: 'error',
  check: 'alertmanager-base',
  message,
  ...(hint ? { hint } : {}),
});

/** Parse the base config text; structural problems come back as `file:line:col` diagnostics. */
export function parseBaseConfig(file: string, text: string): { base?: BaseConfig; diagnostics: Diagnostic[] } {
  const top = { line: 1, column: 1 };
  if (Buffer.byteLength(text) > MAX_BASE_BYTES) return { diagnostics: [problem(file, top, `file is larger than ${MAX_BASE_BYTES} bytes`)] };
  const lineCounter = new LineCounter();
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, version: '1.1', merge: true, customTags: [], keepSourceTokens: false });
  const errors = [...doc.errors, ...doc.warnings];
  if (errors.length) {
    return { diagnostics: errors.map((e) => problem(file, pos(e.pos[0]), `invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`)) };
  }
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    return { diagnostics: [problem(file, top, `cannot read YAML: ${(e as Error).message}`)] };
  }
  const locate = (path: (string | number)[]): Position => pos(offsetOf(doc, path));
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return { diagnostics: [problem(file, top, 'the base Alertmanager config is empty')] };
  if (!isMap(root)) return { diagnostics: [problem(file, locate([]), 'the base Alertmanager config must be a mapping (route:, receivers:, ...)')] };

  const diagnostics: Diagnostic[] = [];
  const route = root.get('route', true);
  if (!isMap(route)) {
    const hint = isAlias(route) ? 'migobs edits the root route: write it out instead of an alias' : 'a full Alertmanager config needs a root route with a default receiver';
    diagnostics.push(problem(file, locate(route === undefined ? [] : ['route']), 'the base config has no `route:` mapping', hint));
  } else {
    const routes = route.get('routes', true);
    if (!isEmpty(routes) && !isSeq(routes)) diagnostics.push(problem(file, locate(['route', 'routes']), '`route.routes` must be a list (written out, not an alias)'));
  }
  const receivers: string[] = [];
  const recv = root.get('receivers', true);
  if (!isSeq(recv)) {
    diagnostics.push(problem(file, locate(recv === undefined ? [] : ['receivers']), 'the base config has no `receivers:` list', 'migration routes need the receivers they name to be defined in the base'));
  } else {
    recv.items.forEach((item, i) => {
      const r = isAlias(item) ? item.resolve(doc) : item;
      const name = isMap(r) ? r.get('name', true) : undefined;
      if (isScalar(name) && name.value !== null) receivers.push(scalarText(name));
      else diagnostics.push(problem(file, locate(['receivers', i]), 'every receiver needs a `name`'));
    });
  }
  const inhibit = root.get('inhibit_rules', true);
  if (!isEmpty(inhibit) && !isSeq(inhibit)) diagnostics.push(problem(file, locate(['inhibit_rules']), '`inhibit_rules` must be a list (written out, not an alias)'));
  return diagnostics.length ? { diagnostics } : { base: { file, doc, receivers, locate }, diagnostics };
}

/** Missing receivers, as diagnostics pointing at the definitions that name them. */
export function missingReceivers(base: BaseConfig, inputs: MergeInput[]): Diagnostic[] {
  const names = new Set(base.receivers);
  return inputs.flatMap((input) =>
    input.receivers
      .filter((r) => !names.has(r.name))
      .map((r) => ({
        file: r.file,
        line: r.line,
        column: r.column,
        severity: 'error' as const,
        check: 'alertmanager-receiver',
        message: `receiver \`${r.name}\` (routing.${r.role}, ${r.how}) is not defined in ${base.file}`,
        hint: `add it under \`receivers:\` in ${base.file}, or set spec.routing.${r.role} to one of: ${base.receivers.join(', ') || '(none)'}`,
      })),
  );
}

/**
 * The base with the migrations merged in, as YAML text. `header` lines become the leading comment
 * (above the base's own leading comment). Fails with diagnostics when a receiver is missing.
 */
export function mergeAlertmanager(base: BaseConfig, inputs: MergeInput[], header: string[] = [GENERATED_NOTE]): MergeResult {
  const diagnostics = missingReceivers(base, inputs);
  if (diagnostics.length) return { diagnostics };

  // Work on a copy so the parsed base can be merged again (tests, library users).
  const doc = base.doc.clone();
  const root = doc.contents as unknown as YAMLMap;
  const route = root.get('route', true) as unknown as YAMLMap;
  const ids = inputs.map((i) => i.migrationId);

  const routes = seqAt(doc, route, 'routes');
  routes.items = routes.items.filter((item) => !ownedBy(doc, item, ids, ['matchers'], true));
  routes.items.unshift(...inputs.map((i) => doc.createNode(i.fragment.route, { aliasDuplicateObjects: false })));

  const hadInhibit = !isEmpty(root.get('inhibit_rules', true));
  const inhibit = seqAt(doc, root, 'inhibit_rules');
  inhibit.items = inhibit.items.filter((item) => !ownedBy(doc, item, ids, ['source_matchers', 'target_matchers'], false));
  inhibit.items.push(...inputs.flatMap((i) => i.fragment.inhibit_rules.map((r) => doc.createNode(r, { aliasDuplicateObjects: false }))));
  if (!hadInhibit && inhibit.items.length === 0) root.delete('inhibit_rules');

  const note = header.map((l) => ` ${l.replace(/[\r\n]/g, ' ')}`).join('\n');
  doc.commentBefore = doc.commentBefore ? `${note}\n\n${doc.commentBefore}` : note;
  const text = doc.toString({ lineWidth: 0, minContentWidth: 0 });
  return { text, diagnostics: [] };
}

/** The list under `key`, created (block style) when missing or null. */
function seqAt(doc: Document, map: YAMLMap, key: string): YAMLSeq {
  const existing = map.get(key, true);
  if (isSeq(existing)) return existing;
  const seq = new YAMLSeq(doc.schema);
  map.set(key, seq);
  return seq;
}

/**
 * Whether a route / inhibit rule was written by an earlier merge of one of these migrations: every
 * listed matcher key carries `migration_id="<id>"` (routes written by other tools with
 * `match: {migration_id: <id>}` count too).
 */
function ownedBy(doc: Document, item: unknown, ids: string[], keys: string[], allowMatch: boolean): boolean {
  const node = isAlias(item) ? item.resolve(doc) : item;
  if (!isMap(node)) return false;
  return ids.some((id) => {
    const wanted = migrationMatcher(id);
    return keys.every((key) => {
      if (matcherStrings(doc, node.get(key, true)).includes(wanted)) return true;
      if (!allowMatch) return false;
      const match = node.get('match', true);
      const mid = isMap(match) ? match.get('migration_id', true) : undefined;
      return isScalar(mid) && scalarText(mid) === id;
    });
  });
}

/** Matcher strings of a `matchers:` list in canonical form, so `migration_id = x` is recognised too. */
function matcherStrings(doc: Document, value: unknown): string[] {
  const list = isAlias(value) ? value.resolve(doc) : value;
  if (!isSeq(list)) return [];
  return list.items.flatMap((v) => (isScalar(v) ? splitMatchers(scalarText(v)) : [])).map(canonicalMatcher);
}

/** One `matchers:` entry may hold several comma-separated matchers, optionally in braces. */
function splitMatchers(text: string): string[] {
  const inner = text.trim().replace(/^\{(.*)\}$/s, '$1');
  return inner.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g)?.map((s) => s.trim()).filter(Boolean) ?? [];
}

/** `migration_id="x"`, `migration_id = x` and `migration_id="x"` all become `migration_id="x"`. */
function canonicalMatcher(text: string): string {
  const mt = /^migration_id\s*=(?![~=])\s*(.*)$/s.exec(text);
  if (!mt) return text;
  const raw = mt[1]!;
  const quoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"');
  // Alertmanager unescapes \" \\ and \n inside quotes (pkg/labels/parse.go).
  const value = quoted ? raw.slice(1, -1).replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c)) : raw;
  return migrationMatcher(value);
}

/** The scalar as Go's yaml.v2 reads it into a string field: its source text. */
function scalarText(node: Scalar): string {
  return node.source ?? String(node.value);
}

function isEmpty(node: unknown): boolean {
  return node === undefined || node === null || (isScalar(node) && node.value === null);
}

function offsetOf(doc: Document, path: (string | number)[]): number {
  let node: unknown = doc.contents;
  let best = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return best;
      best = (pair.key as Node).range?.[0] ?? best;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)] as Node | undefined;
      if (!item) return best;
      best = item.range?.[0] ?? best;
      node = item;
    } else return best;
  }
  return best;
}

/** What to merge for one loaded definition, with where each receiver name came from. */
export function mergeInputOf(m: LoadedMigration): MergeInput {
  const receivers = (['page', 'notify'] as const).map((role): ReceiverRef => {
    const setHere = m.definition.spec.routing?.[role] !== undefined;
    const fromConfig = !setHere && m.model.config.routing?.[role] !== undefined;
    // A defaulted name has no spot of its own: blame the spec's type line, where a reader starts.
    const at = setHere ? m.source.locate(['spec', 'routing', role]) : m.source.locate(['spec', 'type']);
    const how = setHere ? 'set in the definition' : fromConfig ? `default from the repo config routing.${role}` : 'the migobs default, as the definition sets no spec.routing';
    return { name: m.model.routing[role], role, file: m.source.file, ...at, how };
  });
  // page and notify may name the same receiver: check it once.
  const unique = receivers.filter((r, i) => receivers.findIndex((o) => o.name === r.name) === i);
  return { migrationId: m.model.id, fragment: buildAlertmanagerFragment(m.model), receivers: unique };
}

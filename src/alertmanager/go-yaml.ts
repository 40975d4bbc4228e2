/**
 * Reading a parsed YAML document (the `yaml` library, YAML 1.1 mode) the way Alertmanager's reader,
 * Go's gopkg.in/yaml.v2, reads it into its config structs:
 *
 * - a scalar read into a string field is its source text (a plain `0123456789` stays
 *   "0123456789", `yes` stays "yes"); only the null spellings read as "";
 * - a bool field accepts the YAML 1.1 words (`yes`, `on`, `y`, ...);
 * - `<<` merge keys are applied in document order, each one overriding keys set before it, and
 *   keys after it overriding the merged ones; in `<<: [*a, *b]` the earlier map wins.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, visit, type Alias, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';

const GO_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const GO_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const GO_NULL = new Set(['', '~', 'null', 'Null', 'NULL']);

/** The node an alias points to; any other value as it is. */
export function resolved(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** A scalar as yaml.v2 reads it into a string field; undefined for collections. */
export function goString(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  if (node.type === 'PLAIN' || node.type === undefined) {
    const src = typeof node.source === 'string' ? node.source : String(node.value ?? '');
    return GO_NULL.has(src) && !node.tag ? '' : src;
  }
  return typeof node.value === 'string' ? node.value : String(node.value);
}

/** A plain scalar as yaml.v2 reads it into a bool field; undefined when it is not a bool. */
export function goBool(node: unknown): boolean | undefined {
  if (!isScalar(node) || (node.type !== 'PLAIN' && node.type !== undefined) || node.tag) return undefined;
  const src = typeof node.source === 'string' ? node.source : String(node.value);
  return GO_TRUE.has(src) ? true : GO_FALSE.has(src) ? false : undefined;
}

/** Whether a mapping key is a YAML merge key (`<<`, plain). */
export function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (typeof key.value === 'symbol' || (key.type === 'PLAIN' && key.source === '<<'));
}

export interface Found {
  /** The pair that sets the key, in `map` (the mapping itself or one merged into it). */
  pair: Pair<unknown, unknown>;
  map: YAMLMap;
  /** The merge pairs followed to reach it (empty when the key is the mapping's own). */
  via: Pair<unknown, unknown>[];
}

/** The pair that decides `key` of a mapping for yaml.v2 (own keys and merge keys, in order). */
export function goLookup(doc: Document, mapNode: unknown, key: string, depth = 0): Found | undefined {
  const map = resolved(doc, mapNode);
  if (!isMap(map) || depth > 32) return undefined;
  let found: Found | undefined;
  for (const pair of map.items) {
    if (!isPair(pair)) continue;
    if (isMergeKey(pair.key)) {
      const value = resolved(doc, pair.value);
      // yaml.v2 applies a merged list from its last map to its first: the first map wins.
      const sources = isSeq(value) ? [...value.items].reverse() : [value];
      for (const src of sources) {
        const inner = goLookup(doc, src, key, depth + 1);
        if (inner) found = { ...inner, via: [pair, ...inner.via] };
      }
    } else if (goString(pair.key) === key) {
      found = { pair, map, via: [] };
    }
  }
  return found;
}

/** The value node of `key` for yaml.v2 (aliases resolved), or undefined. */
export function goGet(doc: Document, mapNode: unknown, key: string): unknown {
  const f = goLookup(doc, mapNode, key);
  return f ? resolved(doc, f.pair.value) : undefined;
}

/** Whether a value is null or absent for yaml.v2 (`~`, `null`, an empty value). */
export function isNullish(node: unknown): boolean {
  return node === undefined || node === null || (isScalar(node) && node.value === null && !node.tag);
}

/** Parent collection of every node of the document, to walk from a node up to the root. */
export function parentsOf(doc: Document): Map<unknown, Node> {
  const parents = new Map<unknown, Node>();
  visit(doc, {
    Node(_key, node, path) {
      for (let i = path.length - 1; i >= 0; i--) {
        const p = path[i];
        if (isCollection(p)) {
          parents.set(node, p);
          break;
        }
      }
    },
  });
  return parents;
}

/** Every alias of the document. */
export function aliasesOf(doc: Document): Alias[] {
  const out: Alias[] = [];
  visit(doc, {
    Alias(_key, node) {
      out.push(node);
    },
  });
  return out;
}

/**
 * The aliases that would see an edit of `node`: those pointing at it or at a collection that
 * contains it. Editing text shared this way would change the config in the other places too.
 */
export function aliasesSeeing(doc: Document, node: Node, parents: Map<unknown, Node>): Alias[] {
  const chain = new Set<unknown>();
  for (let n: Node | undefined = node; n; n = parents.get(n)) chain.add(n);
  return aliasesOf(doc).filter((a) => chain.has(a.resolve(doc)));
}

export type { Scalar };

/**
 * The data of a node as yaml.v2 assembles it (merge keys in document order, aliases expanded),
 * every scalar as its string reading: for comparing two documents' meaning, not for using values.
 */
export function goData(doc: Document, node: unknown, budget = { nodes: 100_000 }): unknown {
  if (--budget.nodes < 0) throw new Error('document too large to compare');
  const n = resolved(doc, node);
  if (isSeq(n)) return n.items.map((i) => goData(doc, i, budget));
  if (isMap(n)) {
    const out: Record<string, unknown> = {};
    for (const pair of n.items) {
      if (isMergeKey(pair.key)) {
        const value = resolved(doc, pair.value);
        for (const src of isSeq(value) ? [...value.items].reverse() : [value]) Object.assign(out, goData(doc, src, budget));
      } else out[goString(pair.key) ?? '?'] = goData(doc, pair.value, budget);
    }
    return out;
  }
  return isScalar(n) ? goString(n) : null;
}

/** Plain data (numbers, booleans) with every leaf as a string, to compare with goData. */
export function asGoStrings(data: unknown): unknown {
  if (Array.isArray(data)) return data.map(asGoStrings);
  if (data !== null && typeof data === 'object') return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, asGoStrings(v)]));
  return data === null || data === undefined ? '' : String(data);
}

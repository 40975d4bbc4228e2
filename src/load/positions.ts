/**
 * Where every key and value of a parsed definition is, as plain JSON: kept with a definition's
 * check in the result cache (load/each.ts), so `lint` after a `generate` can point its findings at
 * the right line without parsing the YAML again (it was about a quarter of that lint's time).
 *
 * `locateIndexed` answers exactly what SourceFile.locate answers from the document (source.ts
 * offsetOf): the first pair of a mapping whose key reads as the path segment, the n-th item of a
 * sequence, and the nearest parent's position when the path leaves the document.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { JsonPath, Position } from './source';

/** [line, column] */
type At = [number, number];

/** One node: its value's position, and its children (a mapping's pairs in order, or a sequence's items). */
export interface PositionNode {
  v: At;
  /** Mapping: [key as text, key position, the value's node (null: no value node)], in document order. */
  m?: Array<[string, At, PositionNode | null]>;
  /** Sequence: each item's node (null: no node). */
  s?: Array<PositionNode | null>;
}

/** The index of a whole document (`posOf` turns an offset into a position). */
export function positionIndex(doc: Document, posOf: (offset: number) => Position): PositionNode {
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

/** SourceFile.locate from an index. */
export function locateIndexed(index: PositionNode, path: JsonPath, part: 'key' | 'value' = 'value'): Position {
  let node: PositionNode = index;
  let best = index.v;
  for (let i = 0; i < path.length; i++) {
    const seg = String(path[i]);
    const last = i === path.length - 1;
    if (node.m) {
      const pair = node.m.find(([key]) => key === seg);
      if (!pair) break;
      if (last && part === 'key') return { line: pair[1][0], column: pair[1][1] };
      if (!pair[2]) return { line: pair[1][0], column: pair[1][1] };
      best = pair[2].v;
      node = pair[2];
    } else if (node.s) {
      const item = node.s[Number(path[i])];
      if (!item) break;
      best = item.v;
      node = item;
    } else break;
  }
  return { line: best[0], column: best[1] };
}

/** Whether a value read back from the cache is an index (anything else means: parse again). */
export function isPositionNode(v: unknown): v is PositionNode {
  const n = v as PositionNode | null;
  return typeof n === 'object' && n !== null && Array.isArray(n.v) && n.v.length === 2;
}

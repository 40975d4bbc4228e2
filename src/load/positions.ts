/**
 * Where every key and value of a parsed definition is, as plain JSON: kept with a definition's
 * check in the result cache (load/each.ts), so `lint` after a `generate` can point its findings at
 * the right line without parsing the YAML again (it was about a quarter of that lint's time).
 *
 * The index is made from the parsed document by source.ts (positionIndex); this module has no
 * YAML in it, so the commands that only read cached checks do not load the parser's code.
 * `locateIndexed` answers exactly what SourceFile.locate answers from the document (source.ts
 * offsetOf): the first pair of a mapping whose key reads as the path segment, the n-th item of a
 * sequence, and the nearest parent's position when the path leaves the document.
 */
import type { JsonPath, Position } from './source';

/** [line, column] */
export type At = [number, number];

/** One node: its value's position, and its children (a mapping's pairs in order, or a sequence's items). */
export interface PositionNode {
  v: At;
  /** Mapping: [key as text, key position, the value's node (null: no value node)], in document order. */
  m?: Array<[string, At, PositionNode | null]>;
  /** Sequence: each item's node (null: no node). */
  s?: Array<PositionNode | null>;
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

/**
 * `migobs baseline --write`: set suggested pause thresholds in the definition's own text, keeping
 * every other byte (comments, layout, quoting, flow or block style). The `yaml` Document API locates
 * the nodes (their source ranges); the change is a list of text edits (src/alertmanager/text-edit.ts),
 * so only the threshold lines change, each with a comment line above it saying where the value came
 * from. Pure: the caller verifies the result loads and writes it atomically.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { applyEdits, lineStart, lineStartAfter, type Edit } from '../alertmanager/text-edit';
import { promNumber } from '../generate/rules/promql';

export interface ThresholdChange {
  gate: string;
  pause: number;
  /** One-line provenance, e.g. `migobs baseline 2026-11-30: 7d window, p99 3.46 + 20 % (was 10)`. */
  note: string;
}

export interface EditResult {
  text: string;
  /** Changes that could not be placed (the gate list is not a plain list), with why. */
  skipped: { gate: string; reason: string }[];
}

/** A comment line starting with this, directly above a threshold, is replaced by the next --write. */
export const NOTE_PREFIX = '# migobs baseline';

export function editThresholds(text: string, changes: ThresholdChange[]): EditResult {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const edits: Edit[] = [];
  const skipped: EditResult['skipped'] = [];
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const spec = doc.get('spec', true);
  if (!isMap(spec)) return { text, skipped: changes.map((c) => ({ gate: c.gate, reason: 'spec is not a mapping' })) };
  const gatesPair = spec.items.find((p) => isScalar(p.key) && p.key.value === 'gates') as Pair<Node, Node> | undefined;
  const gates = gatesPair?.value;
  const appended: ThresholdChange[] = [];

  for (const change of changes) {
    const item = isSeq(gates) ? gates.items.find((i): i is YAMLMap => isMap(i) && i.get('id') === change.gate) : undefined;
    if (!item) {
      appended.push(change);
      continue;
    }
    const pair = item.items.find((p) => isScalar(p.key) && p.key.value === 'pause') as Pair<Node, Node> | undefined;
    if (pair && isScalar(pair.value) && pair.value.range) {
      const [start, end] = pair.value.range;
      edits.push({ start, end, text: promNumber(change.pause) });
      edits.push(...noteAbove(text, (pair.key as Node).range![0], change.note, nl));
    } else if (!item.flow && item.range && item.items.length) {
      // A block mapping without `pause`: a new line after its last entry, indented like its keys.
      const firstKey = item.items[0]!.key as Node;
      const indent = ' '.repeat(firstKey.range![0] - lineStart(text, firstKey.range![0]));
      const last = item.items[item.items.length - 1]!;
      const lastEnd = ((last.value ?? last.key) as Node).range![1];
      const at = lineStartAfter(text, lastEnd);
      const eol = at === text.length && !text.endsWith('\n') ? nl : '';
      edits.push({ start: at, end: at, text: `${eol}${indent}${change.note}${nl}${indent}pause: ${promNumber(change.pause)}${nl}` });
    } else {
      skipped.push({ gate: change.gate, reason: 'its entry in spec.gates is a flow mapping without `pause`: add `pause` by hand' });
    }
  }

  if (appended.length) {
    const entry = (c: ThresholdChange, indent: string): string => `${indent}${c.note}${nl}${indent}- id: ${c.gate}${nl}${indent}  pause: ${promNumber(c.pause)}${nl}`;
    if (isSeq(gates) && !gates.flow && gates.items.length && gates.range) {
      // Preset gates not overridden yet: a new entry at the end of the block list, indented like its items.
      const first = gates.items[0] as Node;
      const dash = text.lastIndexOf('-', first.range![0]);
      const indent = ' '.repeat(dash - lineStart(text, dash));
      const at = lineStartAfter(text, gates.range[1]);
      const eol = at === text.length && !text.endsWith('\n') ? nl : '';
      edits.push({ start: at, end: at, text: eol + appended.map((c) => entry(c, indent)).join('') });
    } else if (!gatesPair && !spec.flow && spec.items.length) {
      const firstKey = spec.items[0]!.key as Node;
      const indent = ' '.repeat(firstKey.range![0] - lineStart(text, firstKey.range![0]));
      const last = spec.items[spec.items.length - 1]!;
      const at = lineStartAfter(text, ((last.value ?? last.key) as Node).range![1]);
      const eol = at === text.length && !text.endsWith('\n') ? nl : '';
      edits.push({ start: at, end: at, text: `${eol}${indent}gates:${nl}${appended.map((c) => entry(c, `${indent}  `)).join('')}` });
    } else {
      for (const c of appended) skipped.push({ gate: c.gate, reason: 'spec.gates is not a block list: add the override by hand' });
    }
  }
  return { text: applyEdits(text, edits), skipped };
}

/** A note line above the line holding `offset`, indented like it; replaces an earlier note there. */
function noteAbove(text: string, offset: number, note: string, nl: string): Edit[] {
  const start = lineStart(text, offset);
  const indent = /^[ \t]*/.exec(text.slice(start))![0];
  const line = `${indent}${note}${nl}`;
  if (start > 0) {
    const prevStart = lineStart(text, start - 1);
    if (text.slice(prevStart, start).trimStart().startsWith(NOTE_PREFIX)) return [{ start: prevStart, end: start, text: line }];
  }
  return [{ start, end: start, text: line }];
}

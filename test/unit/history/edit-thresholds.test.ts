/** `baseline --write` text edits: only the threshold lines change, whatever the layout. */
import { describe, expect, it } from 'vitest';
import { editThresholds } from '../../../src/history/edit-thresholds';
import { loadDefinitionText } from '../../../src/pipeline';

const HEAD = `apiVersion: migobs/v1   # api
kind: Migration
metadata: {id: edit-unit, title: Edit unit, owner: team}
spec:
  type: backfill
  engine: generic
  targets: {hosts: fleet, app: fleet}
`;
const NOTE = '# migobs baseline 2026-11-30: 7d window, p99 3.5 + 20 % (was 10)';

/** Lines of `after` that are not in `before` (as a multiset), in order. */
function added(before: string, after: string): string[] {
  const pool = before.split('\n');
  return after.split('\n').filter((l) => {
    const i = pool.indexOf(l);
    if (i < 0) return true;
    pool.splice(i, 1);
    return false;
  });
}
const pauseOf = (text: string, gate: string): number | undefined => loadDefinitionText('x.yaml', text).migrations[0]?.model.gates.find((g) => g.id === gate)?.pause;

describe('editThresholds', () => {
  it('block mapping: the value is replaced in place, its trailing comment kept, a note above', () => {
    const text = `${HEAD}  gates:\n    - id: replication-lag\n      pause:   10   # ours\n      rollback: 60\n`;
    const r = editThresholds(text, [{ gate: 'replication-lag', pause: 4.2, note: NOTE }]);
    expect(r.skipped).toEqual([]);
    expect(r.text).toBe(`${HEAD}  gates:\n    - id: replication-lag\n      ${NOTE}\n      pause:   4.2   # ours\n      rollback: 60\n`);
    expect(pauseOf(r.text, 'replication-lag')).toBe(4.2);
  });

  it('flow mapping: only the number changes on its line', () => {
    const text = `${HEAD}  gates:\n    - {id: replication-lag, pause: 10, rollback: 60}   # flow\n`;
    const r = editThresholds(text, [{ gate: 'replication-lag', pause: 4.2, note: NOTE }]);
    expect(added(text, r.text)).toEqual([`    ${NOTE}`, '    - {id: replication-lag, pause: 4.2, rollback: 60}   # flow']);
    expect(pauseOf(r.text, 'replication-lag')).toBe(4.2);
  });

  it('a second run replaces its own note instead of stacking notes', () => {
    const text = `${HEAD}  gates:\n    - id: replication-lag\n      pause: 10\n`;
    const once = editThresholds(text, [{ gate: 'replication-lag', pause: 4.2, note: NOTE }]).text;
    const twice = editThresholds(once, [{ gate: 'replication-lag', pause: 5, note: `${NOTE} again` }]).text;
    expect(twice).toBe(`${HEAD}  gates:\n    - id: replication-lag\n      ${NOTE} again\n      pause: 5\n`);
  });

  it('a block entry without pause gets one after its last key', () => {
    const text = `${HEAD}  gates:\n    - id: replication-lag\n      for: 5m   # slow\n  routing: {page: p}\n`;
    const r = editThresholds(text, [{ gate: 'replication-lag', pause: 4.2, note: NOTE }]);
    expect(r.text).toBe(`${HEAD}  gates:\n    - id: replication-lag\n      for: 5m   # slow\n      ${NOTE}\n      pause: 4.2\n  routing: {page: p}\n`);
    expect(pauseOf(r.text, 'replication-lag')).toBe(4.2);
  });

  it('a preset gate not yet in spec.gates gets an entry at the end of the list', () => {
    const text = `${HEAD}  gates:\n    - id: disk-free\n      enabled: false\n  routing: {page: p}\n`;
    const r = editThresholds(text, [{ gate: 'replication-lag', pause: 4.2, note: NOTE }]);
    expect(r.text).toBe(`${HEAD}  gates:\n    - id: disk-free\n      enabled: false\n    ${NOTE}\n    - id: replication-lag\n      pause: 4.2\n  routing: {page: p}\n`);
    expect(pauseOf(r.text, 'replication-lag')).toBe(4.2);
  });

  it('no spec.gates at all: the list is added at the end of spec', () => {
    const r = editThresholds(HEAD, [{ gate: 'replication-lag', pause: 4.2, note: NOTE }]);
    expect(r.text).toBe(`${HEAD}  gates:\n    ${NOTE}\n    - id: replication-lag\n      pause: 4.2\n`);
    expect(pauseOf(r.text, 'replication-lag')).toBe(4.2);
  });

  it('CRLF files keep CRLF', () => {
    const text = `${HEAD}  gates:\n    - id: replication-lag\n      pause: 10\n`.replace(/\n/g, '\r\n');
    const r = editThresholds(text, [{ gate: 'replication-lag', pause: 4.2, note: NOTE }]);
    expect(r.text).toBe(`${HEAD}  gates:\n    - id: replication-lag\n      ${NOTE}\n      pause: 4.2\n`.replace(/\n/g, '\r\n'));
  });

  it('a layout it cannot edit safely is reported, not guessed', () => {
    const text = `${HEAD}  gates: [{id: replication-lag, for: 5m}]\n`;
    const r = editThresholds(text, [{ gate: 'replication-lag', pause: 4.2, note: NOTE }]);
    expect(r.skipped).toEqual([{ gate: 'replication-lag', reason: expect.stringMatching(/flow mapping without `pause`/) }]);
  });
});

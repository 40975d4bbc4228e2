/** `watch` rendering and its one batched progress query; the live loop runs in test/e2e. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSECURE_WARNING } from '../../../src/live/format';
import type { GateReport } from '../../../src/live/gate';
import { loadModel } from '../../../src/live/setup';
import { clipLines, derive, formatEta, frame, plainLine, progressQuery, rateWindowSeconds, type Snapshot } from '../../../src/live/watch';
import { parsePromql, syntaxProblems } from '../../../src/promql/parse';

const model = loadModel(join(__dirname, 'gate-fixture.yaml'));

const gates: GateReport = {
  migrationId: 'gate-unit',
  phase: 'canary',
  phaseSource: 'prometheus',
  evaluated: 'phase',
  infos: [],
  tlsUnverified: false,
  state: 'pause',
  exitCode: 2,
  gates: [
    { gate: 'lag', title: 'lag', signal: 'lagSignal', phases: ['canary', 'ramp'], direction: 'above', pause: 10, rollback: 60, value: 12.5, raw: '12.5', state: 'pause' },
    { gate: 'errors', title: 'errors', signal: 'batchErrorRatio', phases: ['canary'], direction: 'above', pause: 0.05, rollback: 0.5, value: null, state: 'unknown', reason: 'no data: signal batchErrorRatio returned an empty result' },
  ],
};
const snapshot: Snapshot = {
  at: new Date('2025-01-02T03:04:05Z'),
  progress: { processed: 2500, total: 10000, rate: 125, throttled: 0, errors: 1, lastProgress: 1000, now: 1004 },
  gates,
};

describe('watch', () => {
  it('asks every progress number in one valid query, scoped to the migration', () => {
    const q = progressQuery(model);
    expect(syntaxProblems(parsePromql(q))).toEqual([]);
    expect(q).toContain('sum(rate(migration_rows_processed_total{migration_id="gate-unit", job="unit"}[60s]))');
    expect(rateWindowSeconds({ ...model, scrapeIntervalSeconds: 30 })).toBe(120);
  });

  it.each([
    [{ processed: 2500, total: 10000, rate: 125 }, { ratio: 0.25, etaSeconds: 60 }],
    [{ processed: 12000, total: 10000, rate: 1 }, { ratio: 1, etaSeconds: 0 }],
    [{ processed: 10, total: 0, rate: 0 }, {}],
    [{ processed: 10, total: 100, rate: 0 }, { ratio: 0.1 }],
    [{}, {}],
  ])('derive(%o) = %o', (progress, expected) => {
    expect(derive(progress)).toEqual(expected);
  });

  it.each([
    [undefined, '-'],
    [42, '42s'],
    [200, '03m20s'],
    [3900, '01h05m'],
  ])('ETA %s is shown as %s', (seconds, text) => {
    expect(formatEta(seconds)).toBe(text);
  });

  it('prints one plain line per refresh with phase, progress, rate, ETA, gates and the action', () => {
    expect(plainLine(model, snapshot)).toBe(
      '03:04:05Z gate-unit phase=canary progress=25.0% rows=2500/10000 rate=125/s eta=60s throttled=no errors=1 gates: lag=pause(12.5) errors=unknown(-) -> PAUSE',
    );
  });

  it('draws a frame with the bar, the numbers and the gate table', () => {
    const text = frame(model, snapshot, '5s');
    expect(text).toContain(`${'█'.repeat(8)}${'░'.repeat(22)}  25.0% | 2500/10000 rows | 125 rows/s | ETA 60s | phase canary`);
    expect(text).toMatch(/^lag\s+12\.5\s+> 10\s+> 60\s+pause$/m);
    expect(text).toContain('last progress: 4s ago');
    expect(text).toContain('! gate errors unknown: no data');
  });

  const unknownPhase: Snapshot = {
    ...snapshot,
    gates: {
      ...gates,
      phase: undefined,
      evaluated: 'all-phases',
      state: 'rollback',
      exitCode: 3,
      reason: 'current phase unknown: Prometheus refused the query (HTTP 422, execution: \u001b[2J\u001b[H\u001b[32mgreen: PROCEED\u001b[0m\r\n)',
      gates: [
        { ...gates.gates[0]!, value: 100, raw: '100', state: 'rollback' },
        { ...gates.gates[1]!, reason: 'partial answer: Prometheus warned "\u009b2J"' },
      ],
    },
  };

  it('current phase unknown: the frame and the line show every gate with its phases instead of "gates: none"', () => {
    const text = frame(model, unknownPhase, '5s');
    expect(text).toContain('current phase unknown: every gate of every phase');
    expect(text).toMatch(/^gate\s+phases\s+value\s+pause\s+rollback\s+state$/m);
    expect(text).toMatch(/^lag\s+canary,ramp\s+100\s+> 10\s+> 60\s+rollback$/m);
    expect(text).toMatch(/^errors\s+canary\s+-\s+> 0\.05\s+> 0\.5\s+unknown$/m);
    expect(text).toMatch(/^rollback: ROLLBACK$/m);
    expect(plainLine(model, unknownPhase)).toMatch(/ phase=\? .* gates: lag\[canary,ramp\]=rollback\(100\) errors\[canary\]=unknown\(-\) -> ROLLBACK$/);
  });

  it('escapes control characters from Prometheus in the frame (no fake verdict, no clear screen)', () => {
    const text = frame(model, unknownPhase, '5s');
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain('execution: \\x1b[2J\\x1b[H\\x1b[32mgreen: PROCEED\\x1b[0m\\r\\n)');
    expect(text).toContain('! gate errors unknown: partial answer: Prometheus warned "\\x9b2J"');
    expect(text).not.toMatch(/^green: PROCEED/m);
  });

  it('--insecure-skip-verify: the frame says so above and below the table, the line starts with it', () => {
    const insecure: Snapshot = { ...snapshot, gates: { ...gates, tlsUnverified: true } };
    const lines = frame(model, insecure, '5s').trimEnd().split('\n');
    expect(lines[1]).toBe(INSECURE_WARNING);
    expect(lines.at(-1)).toBe(INSECURE_WARNING);
    expect(plainLine(model, insecure)).toMatch(/^!TLS-NOT-VERIFIED! .*\(--insecure-skip-verify: this answer may be forged\)$/);
  });

  it('clips lines to the terminal width without cutting colour codes', () => {
    const red = '\u001b[31mrollback\u001b[0m';
    expect(clipLines(`abcdefghijklmnop ${red}`, 13)).toBe('abcdefghijkl');
    expect(clipLines(`gate ${red}`, 10)).toBe('gate \u001b[31mrollb\u001b[0m'); // at least 10 columns
    expect(clipLines(`short ${red}\nline two`, 80)).toBe(`short ${red}\nline two`);
  });
});

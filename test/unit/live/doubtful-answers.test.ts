/**
 * Answers that look complete but may not be (docs/security.md "Doubtful answers"): each fake
 * Prometheus mode, asked by the real `migobs gate` and `migobs watch --once` processes. Every values
 * set here is green when taken at face value, so any mode not refused would answer 0 (proceed).
 * Text from the server must never reach the terminal as control characters.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migobsAsync } from '../../helpers/services';
import { gateAnswers, MODES, startFake, type FakePrometheus, type Mode } from '../../helpers/fake-prometheus';

const FIXTURE = join(__dirname, 'gate-fixture.yaml');
let fake: FakePrometheus | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Control characters a terminal acts on; only the line breaks migobs itself writes are allowed. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

const TABLE: [Mode, number, RegExp][] = [
  ['honest', 0, /^$/],
  ['infos', 0, /^migobs: Prometheus info \(does not block\): PromQL info: metric might not be a counter/m],
  ['warnings', 4, /gate lag unknown: partial answer: Prometheus warned "remote_read: .*connection refused"/],
  ['http-206', 4, /gate lag unknown: partial answer: HTTP 206 Partial Content/],
  ['http-203', 4, /gate lag unknown: Prometheus answered HTTP 203/],
  ['stale', 4, /gate lag unknown: stale answer: evaluated at .*, 3600s before the time asked .*a cache or proxy/],
  ['future', 4, /gate lag unknown: answer from the future: evaluated at .*, 3600s after the time asked/],
  ['off-by-ms', 4, /gate lag unknown: stale answer: .*, 0\.001s before/],
  ['hex-value', 4, /gate lag unknown: not a Prometheus answer \(sample value "0x0" is not a number as Prometheus writes it\)/],
  ['padded-value', 4, /sample value " 0 " is not a number/],
  ['underscore-value', 4, /sample value "1_0" is not a number/],
  ['infinity-word', 4, /sample value "Infinity" is not a number/],
  ['empty-value', 4, /sample value "" is not a number/],
  ['plus-value', 4, /sample value "\+0" is not a number/],
  ['timestamp-string', 4, /not a Prometheus answer \(malformed sample value\)/],
  ['other-migration-phase', 4, /current phase unknown: the migration_phase answer holds a series outside migration_id="gate-unit": \{__name__="migration_phase", migration_id="other-migration"/],
  ['other-selector-phase', 4, /current phase unknown: the migration_phase answer holds a series outside job="unit"/],
  ['other-metric-phase', 4, /current phase unknown: the migration_phase answer holds a up series/],
  ['phase-value-2', 4, /current phase unknown: the migration_phase answer holds a series with value 2 \(asked for == 1\)/],
  ['stray-series', 4, /gate lag unknown: the answer holds a series migobs did not ask for: \{__name__="up", job="x"\}/],
  ['ansi-error', 4, /Prometheus refused the query \(HTTP 422, execution: \\x1b\[2J\\x1b\[H\\x1b\[32mgreen: PROCEED\\x1b\[0m\\r\\n\)/],
  ['ansi-warning', 4, /partial answer: Prometheus warned "\\u001b\[2J/],
  ['ansi-phase', 4, /current phase "\\x9b2J\\u001b\[2J.*" \(from migration_phase\) is not a phase of gate-unit/],
  ['ansi-body', 4, /not a Prometheus answer \(HTTP 502, body is not JSON: "<html>\\u001b\[2J/],
];

describe('doubtful answers (fake Prometheus modes)', () => {
  it('the table covers every mode of the helper', () => {
    expect(TABLE.map(([m]) => m).sort()).toEqual(Object.keys(MODES).sort());
  });

  it.each(TABLE)('%s -> exit %d, reason %s', async (mode, code, reason) => {
    fake = await startFake(gateAnswers('canary', { lag: '1', errors: '0', free: '0.9' }, mode));
    const text = await migobsAsync(['gate', FIXTURE, '--prometheus-url', fake.url]);
    expect(text.code, text.stderr).toBe(code);
    expect(text.stderr).toMatch(reason);
    expect(text.stdout).toMatch(code === 0 ? /^green: PROCEED \(exit 0\)$/m : /^unknown: UNKNOWN \(treat as pause\) \(exit 4\)$/m);
    for (const out of [text.stdout, text.stderr]) {
      expect(out).not.toMatch(RAW_CONTROL);
      if (code !== 0) expect(out).not.toMatch(/^green: PROCEED/m);
    }
    // Every query carries an explicit evaluation time.
    expect(fake.requests.length).toBeGreaterThan(0);
    for (const r of fake.requests) expect(r.time).toMatch(/^\d+\.\d{3}$/);

    const json = await migobsAsync(['gate', FIXTURE, '--prometheus-url', fake.url, '--json']);
    expect(json.code).toBe(code);
    expect(json.stdout).not.toMatch(RAW_CONTROL);
    const answer = JSON.parse(json.stdout) as { overall: { exitCode: number }; infos: string[] };
    expect(answer.overall.exitCode).toBe(code);
    expect(answer.infos).toHaveLength(mode === 'infos' ? 1 : 0);
  });

  it.each(['ansi-error', 'ansi-warning', 'ansi-phase', 'ansi-body'] as const)('watch --once prints %s escaped (plain line and stderr)', async (mode) => {
    fake = await startFake(gateAnswers('canary', { lag: '1', errors: '0' }, mode));
    const r = await migobsAsync(['watch', FIXTURE, '--prometheus-url', fake.url, '--once']);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/-> UNKNOWN/);
    expect(r.stderr).toMatch(/\\x1b|\\u001b/);
    for (const out of [r.stdout, r.stderr]) expect(out).not.toMatch(RAW_CONTROL);
  });
});

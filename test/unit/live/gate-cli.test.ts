/** `migobs gate` as a process: exit codes, stdout table/JSON, reasons on stderr, usage errors. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migobsAsync } from '../../helpers/services';
import { gateAnswers, startFake, type FakePrometheus } from './fake-prometheus';

const FIXTURE = join(__dirname, 'gate-fixture.yaml');
let fake: FakePrometheus | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('migobs gate (CLI)', () => {
  it.each([
    [{ lag: '3', errors: '0' }, 0, /^lag\s+3\s+> 10\s+> 60\s+green$/m, /green: PROCEED \(exit 0\)/],
    [{ lag: '30', errors: '0' }, 2, /^lag\s+30\s+> 10\s+> 60\s+pause$/m, /pause: PAUSE \(exit 2\)/],
    [{ lag: '90', errors: '0.06' }, 3, /^lag\s+90\s+> 10\s+> 60\s+rollback$/m, /rollback: ROLLBACK \(exit 3\)/],
    [{ lag: 'NaN', errors: '0' }, 4, /^lag\s+NaN\s+> 10\s+> 60\s+unknown$/m, /unknown: UNKNOWN \(treat as pause\) \(exit 4\)/],
  ])('values %o -> exit %d with the table', async (values, code, row, summary) => {
    fake = await startFake(gateAnswers('canary', values));
    const r = await migobsAsync(['gate', FIXTURE, '--prometheus-url', fake.url]);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stdout).toMatch(/^gate-unit: phase canary$/m);
    expect(r.stdout).toMatch(/^gate\s+value\s+pause\s+rollback\s+state$/m);
    expect(r.stdout).toMatch(row);
    expect(r.stdout).toMatch(summary);
    expect(r.stderr).toBe(code === 4 ? 'migobs: gate lag unknown: signal value is NaN\n' : '');
  });

  it('--json prints per-gate value, thresholds, direction, state and reason, and the overall answer', async () => {
    fake = await startFake(gateAnswers(undefined, { free: '0.05' }));
    const r = await migobsAsync(['gate', FIXTURE, '--prometheus-url', fake.url, '--gate', 'free', '--gate', 'lag', '--json']);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toEqual({
      migration: 'gate-unit',
      phase: null,
      phaseSource: 'none',
      gates: [
        { gate: 'free', signal: 'freeRatio', value: 0.05, pause: 0.2, rollback: 0.1, direction: 'below', state: 'rollback', reason: null },
        { gate: 'lag', signal: 'lagSignal', value: null, pause: 10, rollback: 60, direction: 'above', state: 'unknown', reason: 'no data: signal lagSignal returned an empty result' },
      ],
      overall: { state: 'unknown', action: 'UNKNOWN (treat as pause)', exitCode: 4, reason: null },
    });
    expect(r.stderr).toContain('gate lag unknown: no data');
  });

  it('reads the URL from MIGOBS_PROMETHEUS_URL', async () => {
    fake = await startFake(gateAnswers('ramp', { lag: '1', free: '0.9' }));
    const r = await migobsAsync(['gate', FIXTURE], { env: { MIGOBS_PROMETHEUS_URL: fake.url } });
    expect(r.code, r.stderr).toBe(0);
  });

  it.each([
    [['--phase', 'canry'], /--phase canry: not a phase of gate-unit \(did you mean `canary`\?\)/],
    [['--gate', 'lagg'], /--gate lagg: not an enabled gate of gate-unit \(did you mean `lag`\?\)/],
    [['--gate', 'disk-free'], /not an enabled gate of gate-unit \(it is disabled in the definition\)/],
    [['--timeout', 'soon'], /--timeout must be a duration/],
    [['--prometheus-url', 'ftp://x'], /must be http\(s\)/],
    [['--prometheus-url', 'http://u:p@127.0.0.1:9'], /MIGOBS_PROMETHEUS_USER/],
    [['--ca-file', '/nonexistent/ca.pem'], /cannot read CA file/],
  ])('usage error %o exits 1', async (args, message) => {
    const r = await migobsAsync(['gate', FIXTURE, '--prometheus-url', 'http://127.0.0.1:9', ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('an invalid definition exits 1 with its problems, without asking Prometheus', async () => {
    fake = await startFake(gateAnswers('canary', {}));
    const r = await migobsAsync(['gate', join(__dirname, '../../fixtures/invalid/api-version.yaml'), '--prometheus-url', fake.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/api-version\.yaml:1:13: `apiVersion` must be `migobs\/v1`/);
    expect(fake.requests).toHaveLength(0);
  });

  it('without a URL exits 1', async () => {
    const r = await migobsAsync(['gate', FIXTURE], { env: { MIGOBS_PROMETHEUS_URL: '' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--prometheus-url is required/);
  });
});

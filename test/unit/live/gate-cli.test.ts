/** `migobs gate` as a process: exit codes, stdout table/JSON, reasons on stderr, usage errors. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migobsAsync } from '../../helpers/services';
import { gateAnswers, startFake, type FakePrometheus } from '../../helpers/fake-prometheus';

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

  it('--json prints per-gate value, thresholds, direction, phases, state and reason, and the overall answer (rollback outranks unknown)', async () => {
    fake = await startFake(gateAnswers(undefined, { free: '0.05' }));
    const r = await migobsAsync(['gate', FIXTURE, '--prometheus-url', fake.url, '--gate', 'free', '--gate', 'lag', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({
      migration: 'gate-unit',
      phase: null,
      phaseSource: 'none',
      evaluated: 'selected',
      gates: [
        { gate: 'free', signal: 'freeRatio', phases: ['ramp'], value: 0.05, pause: 0.2, rollback: 0.1, direction: 'below', state: 'rollback', reason: null },
        { gate: 'lag', signal: 'lagSignal', phases: ['canary', 'ramp'], value: null, pause: 10, rollback: 60, direction: 'above', state: 'unknown', reason: 'no data: signal lagSignal returned an empty result' },
      ],
      overall: { state: 'rollback', action: 'ROLLBACK', exitCode: 3, reason: null },
      infos: [],
      insecureSkipVerify: false,
    });
    expect(r.stderr).toContain('gate lag unknown: no data');
  });

  it('current phase unknown: the table and --json show every gate of every phase with its phases; rollback-level lag answers 3', async () => {
    fake = await startFake(gateAnswers(undefined, { lag: '100', errors: '0', free: '0.9' }));
    const text = await migobsAsync(['gate', FIXTURE, '--prometheus-url', fake.url]);
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/^gate-unit: phase unknown, every gate of every phase$/m);
    expect(text.stdout).toMatch(/^gate\s+phases\s+value\s+pause\s+rollback\s+state$/m);
    expect(text.stdout).toMatch(/^lag\s+canary,ramp\s+100\s+> 10\s+> 60\s+rollback$/m);
    expect(text.stdout).toMatch(/^free\s+ramp\s+0\.9\s+< 0\.2\s+< 0\.1\s+green$/m);
    expect(text.stdout).toMatch(/rollback: ROLLBACK \(exit 3\)/);
    expect(text.stderr).toMatch(/current phase unknown: no migration_phase series .* \(every gate of every phase was evaluated\)/);
    const json = await migobsAsync(['gate', FIXTURE, '--prometheus-url', fake.url, '--json']);
    expect(json.code).toBe(3);
    const answer = JSON.parse(json.stdout);
    expect(answer).toMatchObject({ phase: null, phaseSource: 'prometheus', evaluated: 'all-phases', overall: { state: 'rollback', exitCode: 3, reason: expect.stringMatching(/current phase unknown/) } });
    expect(answer.gates.map((g: { gate: string; phases: string[]; state: string }) => [g.gate, g.phases, g.state])).toEqual([
      ['lag', ['canary', 'ramp'], 'rollback'],
      ['errors', ['canary'], 'green'],
      ['free', ['ramp'], 'green'],
    ]);
  });

  it('current phase unknown with every gate green: unknown (exit 4), never proceed', async () => {
    fake = await startFake(gateAnswers(undefined, { lag: '1', errors: '0', free: '0.9' }));
    const r = await migobsAsync(['gate', FIXTURE, '--prometheus-url', fake.url, '--json']);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout).gates).toHaveLength(3);
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
    [['--timeout', '25d'], /--timeout 25d is too long: the maximum is 24d20h31m23s647ms \(2147483647 ms/],
    [['--timeout', '24d20h31m23s648ms'], /too long/],
  ])('usage error %o exits 1', async (args, message) => {
    const r = await migobsAsync(['gate', FIXTURE, '--prometheus-url', 'http://127.0.0.1:9', ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('--timeout at the timer maximum is accepted', async () => {
    fake = await startFake(gateAnswers('canary', { lag: '1', errors: '0' }));
    const r = await migobsAsync(['gate', FIXTURE, '--prometheus-url', fake.url, '--timeout', '24d20h31m23s647ms']);
    expect(r.code, r.stderr).toBe(0);
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

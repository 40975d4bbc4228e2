/**
 * The gate server's pure parts: --listen parsing, loopback detection, the verdict's reason, the
 * staleness rule on a controlled clock, and credential redaction. The HTTP contract is tested on the
 * real process in test/e2e/gate-server.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/live/setup';
import { loadDefinitionText } from '../../../src/pipeline';
import { GateServer, isLoopback, parseListen, verdictReason, HTTP_STATUS } from '../../../src/live/server';
import type { GateClient } from '../../../src/live/gate';
import type { QueryAnswer } from '../../../src/live/prometheus';

const MODEL = loadModel(join(__dirname, 'gate-fixture.yaml'));

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:9090', { host: '127.0.0.1', port: 9090 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['[::1]:8080', { host: '::1', port: 8080 }],
    ['localhost:9090', { host: 'localhost', port: 9090 }],
  ])('%s', (text, expected) => expect(parseListen(text)).toEqual(expected));

  it.each([':9090', '9090', '127.0.0.1', '127.0.0.1:', '127.0.0.1:70000', '[nothex]:1', '::1:9090', 'a b:1'])('%s is refused', (text) => {
    expect(parseListen(text)).toHaveProperty('error');
  });
});

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true], ['127.1.2.3', true], ['localhost', true], ['::1', true], ['0:0:0:0:0:0:0:1', true], ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false], ['::', false], ['10.0.0.1', false], ['192.0.2.1', false], ['::ffff:10.0.0.1', false], ['example.com', false],
  ])('%s -> %s', (host, expected) => expect(isLoopback(host)).toBe(expected));
});

describe('verdict reason', () => {
  it('names each gate that is not green, with its value and threshold, after the overall reason', () => {
    const gate = { title: '', signal: 's', phases: ['canary'], direction: 'above' as const, pause: 10, rollback: 60 };
    expect(verdictReason({ migrationId: 'm', phaseSource: 'prometheus', evaluated: 'phase', state: 'rollback', exitCode: 3, infos: [], tlsUnverified: false, gates: [
      { ...gate, gate: 'a', value: 1, state: 'green' },
      { ...gate, gate: 'b', value: 100, state: 'rollback' },
      { ...gate, gate: 'c', value: 20, state: 'pause' },
      { ...gate, gate: 'd', value: null, state: 'unknown', reason: 'no data' },
    ] })).toBe('gate b rollback: value 100, rollback when > 60; gate c pause: value 20, pause when > 10; gate d unknown: no data');
  });
});

/** A client answering the phase query with canary and every gate with `lag`, at the time asked. */
function client(lag: () => string): GateClient {
  return {
    insecure: false,
    deadline: () => Date.now() + 10_000,
    async query(expr, opts): Promise<QueryAnswer> {
      void opts;
      if (expr.startsWith('migration_phase')) return { samples: [{ metric: { __name__: 'migration_phase', migration_id: 'gate-unit', job: 'unit', phase: 'canary' }, value: 1, raw: '1' }], infos: [] };
      return { samples: [...expr.matchAll(/"gate", "([^"]+)"/g)].map((m) => ({ metric: { gate: m[1]! }, value: Number(m[1] === 'lag' ? lag() : '0'), raw: m[1] === 'lag' ? lag() : '0' })), infos: [] };
    },
  };
}

describe('GateServer answer', () => {
  let server: GateServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('is unknown before the first evaluation, then the verdict, then unknown once older than 3 intervals', async () => {
    let clock = 1_700_000_000_000;
    let lag = '20';
    server = new GateServer({ model: MODEL, client: client(() => lag), intervalMs: 60_000, host: '127.0.0.1', port: 0, now: () => clock });
    expect(server.answer()).toMatchObject({ verdict: 'unknown', stale: false, reason: expect.stringMatching(/^no verdict yet/) });
    await server.start();
    await expect.poll(() => server!.answer().verdict).toBe('pause');
    expect(server.answer()).toMatchObject({ verdict: 'pause', ageMs: 0, stale: false, reason: 'gate lag pause: value 20, pause when > 10' });
    clock += 180_000; // exactly 3 intervals: still fresh
    expect(server.answer()).toMatchObject({ verdict: 'pause', stale: false });
    clock += 1; // older than 3 intervals
    expect(server.answer()).toMatchObject({ verdict: 'unknown', stale: true, ageMs: 180_001 });
    expect(server.answer().reason).toMatch(/^stale verdict: the last finished evaluation is 180\.0s old \(more than 3 intervals, 180s\)/);
    expect(server.checkJson(server.answer())).toMatchObject({ verdict: 'unknown', httpStatus: 503, stale: true, staleAfterSeconds: 180, verdictAgeSeconds: 180.001 });
    expect(HTTP_STATUS).toEqual({ proceed: 200, pause: 429, rollback: 417, unknown: 503 });
  });

  it('outside spec.schedule never answers proceed: unknown while healthy, rollback when a gate is past it', async () => {
    const text = readFileSync(join(__dirname, 'gate-fixture.yaml'), 'utf8').replace("  selector: 'job=\"unit\"'\n", "  selector: 'job=\"unit\"'\n  schedule: {notBefore: '2030-01-01T00:00:00Z'}\n");
    const r = loadDefinitionText('scheduled.yaml', text);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    let lag = '1';
    const clock = Date.parse('2029-12-31T23:00:00Z');
    server = new GateServer({ model: r.migrations[0]!.model, client: client(() => lag), intervalMs: 50, host: '127.0.0.1', port: 0, now: () => clock });
    await server.start();
    await expect.poll(() => server!.answer().reason).toMatch(/^outside the schedule/);
    expect(server.answer().verdict).toBe('unknown');
    lag = '100';
    await expect.poll(() => server!.answer().verdict).toBe('rollback');
  });

  it('redacts credentials as they are and as JSON writes them; ignores ones too short to search for', () => {
    server = new GateServer({ model: MODEL, client: client(() => '1'), intervalMs: 1000, host: '127.0.0.1', port: 0, secrets: ['s3"cret\\x', 'ab'] });
    expect(server.redact('token s3"cret\\x and "s3\\"cret\\\\x" ab')).toBe('token *** and "***" ab');
  });
});

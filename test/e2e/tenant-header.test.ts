/**
 * Multi-tenant Prometheus APIs (Mimir, Cortex, Thanos query frontends): a real Prometheus behind a
 * small proxy on 127.0.0.1 that, like a Mimir gateway, answers 401 to any request without
 * `X-Scope-OrgID: team-a` (and 403 to another tenant). With the header (`--header`, the config's
 * `headers:`, MIGOBS_PROMETHEUS_HEADERS) `migobs gate`, `watch --once` and `gate --serve` answer the
 * real state (pause, exit 2 / HTTP 429); without it the answer is unknown (exit 4 / HTTP 503),
 * never proceed. The header's value never appears in the output.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askGateUntil } from '../helpers/gate';
import { closeServers, listen, metricsServer } from '../helpers/http-fixtures';
import { ask, startGateServer } from '../helpers/gate-server';
import { migobsAsync, Services, waitFor, type AsyncCliResult, type Prometheus } from '../helpers/services';

const DEFINITION = join(__dirname, 'fixtures', 'tenant-header.yaml');
const TENANT = 'team-a';

describe('gate, watch and gate --serve through a tenant-checking proxy', () => {
  const services = new Services();
  const servers: Server[] = [];
  let prom: Prometheus;
  let proxyUrl: string;
  const seen: Array<string | undefined> = [];
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'migobs-tenant-'));
    try {
      const runner = await metricsServer(['# TYPE replica_lag_seconds gauge', 'replica_lag_seconds{replica="r1"} 20', '# TYPE migration_phase gauge', 'migration_phase{migration_id="tenant-header-e2e",phase="canary"} 1']);
      servers.push(runner.server);
      prom = await services.startPrometheus({ name: 'prometheus', targets: [{ job: 'tenant-runner', target: runner.target }] });
      const upstream = new URL(prom.url);
      // The proxy: no X-Scope-OrgID -> 401, another tenant -> 403, team-a -> forwarded to Prometheus.
      const proxy = createServer((req, res) => {
        const org = req.headers['x-scope-orgid'];
        seen.push(typeof org === 'string' ? org : undefined);
        if (org === undefined) return void res.writeHead(401, { 'content-type': 'text/plain' }).end('no org id\n');
        if (org !== TENANT) return void res.writeHead(403, { 'content-type': 'text/plain' }).end('unknown tenant\n');
        const up = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        up.on('error', () => res.writeHead(502).end());
        req.pipe(up);
      });
      servers.push(proxy);
      proxyUrl = `http://${await listen(proxy)}`;
      // Prometheus has scraped the runner: the lag is there (asked directly, not through the proxy).
      await waitFor('Prometheus to have the replica lag', async () => {
        const j = (await fetch(`${prom.url}/api/v1/query?${new URLSearchParams({ query: 'max(replica_lag_seconds)' })}`, { signal: AbortSignal.timeout(5000) }).then((r) => r.json())) as { data: { result: unknown[] } };
        return j.data.result.length ? true : undefined;
      }, 30_000, 300);
    } catch (e) {
      await services.stopAll();
      throw e;
    }
  }, 60_000);

  afterAll(async () => {
    await services.stopAll();
    closeServers(servers);
    rmSync(dir, { recursive: true, force: true });
  });

  const gate = (extra: string[], env: Record<string, string> = {}, cwd?: string): Promise<AsyncCliResult> =>
    migobsAsync(['gate', DEFINITION, '--prometheus-url', proxyUrl, '--timeout', '10s', '--json', ...extra], { env, ...(cwd ? { cwd } : {}) });

  it('with --header the gate answers the real state: pause (exit 2), and the value is never printed', async () => {
    const { result } = await askGateUntil(() => gate(['--header', `X-Scope-OrgID: ${TENANT}`]), 'gate to pause through the proxy', (r) => r.result.code === 2);
    expect(result.stdout + result.stderr).not.toContain(TENANT);
    expect(seen).toContain(TENANT);
  }, 60_000);

  it('without the header the proxy answers 401 and the gate is unknown (exit 4), never proceed', async () => {
    const r = await gate([]);
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stderr).toMatch(/HTTP 401 \(unauthorised\)/);
    expect(seen).toContain(undefined);
  }, 30_000);

  it('another tenant (403) is unknown too (exit 4)', async () => {
    const r = await gate(['--header', 'X-Scope-OrgID: team-b']);
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stderr).toMatch(/HTTP 403 \(forbidden\)/);
    expect(r.stdout + r.stderr).not.toContain('team-b');
  }, 30_000);

  it('the header from MIGOBS_PROMETHEUS_HEADERS and from headers: in migobs.config.yaml works the same', async () => {
    const fromEnv = await gate([], { MIGOBS_PROMETHEUS_HEADERS: `X-Scope-OrgID: ${TENANT}` });
    expect(fromEnv.code, fromEnv.stdout + fromEnv.stderr).toBe(2);
    writeFileSync(join(dir, 'migobs.config.yaml'), `headers:\n  X-Scope-OrgID: ${TENANT}\n`);
    const fromConfig = await gate([], {}, dir);
    expect(fromConfig.code, fromConfig.stdout + fromConfig.stderr).toBe(2);
    // --header replaces the config's header of the same name (case-insensitive).
    const overridden = await gate(['--header', 'x-scope-orgid: team-b'], {}, dir);
    expect(overridden.code, overridden.stdout + overridden.stderr).toBe(4);
  }, 60_000);

  it('watch --once: pause (2) with the header, unknown (4) without', async () => {
    const withHeader = await migobsAsync(['watch', DEFINITION, '--prometheus-url', proxyUrl, '--once', '--header', `X-Scope-OrgID: ${TENANT}`]);
    expect(withHeader.code, withHeader.stdout + withHeader.stderr).toBe(2);
    expect(withHeader.stdout + withHeader.stderr).not.toContain(TENANT);
    const without = await migobsAsync(['watch', DEFINITION, '--prometheus-url', proxyUrl, '--once']);
    expect(without.code, without.stdout + without.stderr).toBe(4);
  }, 60_000);

  it('gate --serve: 429 (pause) with the header, 503 (unknown) without', async () => {
    const withHeader = await startGateServer(services, DEFINITION, ['--prometheus-url', proxyUrl, '--interval', '1s', '--header', `X-Scope-OrgID: ${TENANT}`], {}, 'gate-server-a');
    await waitFor('the gate server to answer 429', async () => ((await ask(`${withHeader.url}/throttle`)).status === 429 ? true : undefined), 30_000, 300);
    const without = await startGateServer(services, DEFINITION, ['--prometheus-url', proxyUrl, '--interval', '1s'], {}, 'gate-server-b');
    // Wait until it has evaluated at least once (its first moments are unknown too), then it stays 503.
    await waitFor('the headerless gate server to have asked', async () => ((await ask(`${without.url}/check`)).body.includes('401') ? true : undefined), 30_000, 300);
    expect((await ask(`${without.url}/throttle`)).status).toBe(503);
    expect(withHeader.proc.output()).not.toContain(TENANT);
  }, 90_000);

  it('a header value with a line break is refused before any request (exit 1), naming the header only', async () => {
    const r = await gate([], { MIGOBS_PROMETHEUS_HEADERS: 'X-Scope-OrgID: team-a\rX-Evil: 1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MIGOBS_PROMETHEUS_HEADERS: the value of header `X-Scope-OrgID` contains a control character/);
    expect(r.stderr).not.toContain('team-a');
  }, 30_000);
});

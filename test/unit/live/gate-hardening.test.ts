/**
 * `migobs gate`/`watch` as processes against hostile environments: TLS verification that the
 * environment cannot turn off (NODE_TLS_REJECT_UNAUTHORIZED=0), `--insecure-skip-verify` announced
 * on every answer, credentials that cannot be sent, timer-overflowing durations, URLs holding
 * passwords. Certificates are made by the real openssl.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INSECURE_WARNING } from '../../../src/live/format';
import { credentialProblem, redactUrl } from '../../../src/live/prometheus';
import { gateAnswers, startFake, type FakePrometheus } from '../../helpers/fake-prometheus';
import { migobsAsync } from '../../helpers/services';

const FIXTURE = join(__dirname, 'gate-fixture.yaml');
const GREEN = { lag: '1', errors: '0' };
let fake: FakePrometheus | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('TLS is verified whatever the environment says', () => {
  let dir: string;
  let key: Buffer;
  let cert: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'migobs-tls-'));
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=migobs-test', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    key = readFileSync(join(dir, 'key.pem'));
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const httpsFake = (): Promise<FakePrometheus> => startFake(gateAnswers('canary', GREEN), (h) => createHttpsServer({ key, cert }, h));

  it('NODE_TLS_REJECT_UNAUTHORIZED=0 does not turn certificate checks off: a self-signed certificate stays unknown (exit 4)', async () => {
    fake = await httpsFake();
    const r = await migobsAsync(['gate', FIXTURE, '--prometheus-url', fake.url], { env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' } });
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stderr).toMatch(/cannot reach Prometheus at https:\/\/127\.0\.0\.1:\d+: .*self.signed/i);
    expect(r.stderr).toMatch(/^migobs: NODE_TLS_REJECT_UNAUTHORIZED=0 is ignored: TLS certificates are verified/m);
    expect(r.stderr).not.toMatch(/makes TLS connections and HTTPS requests insecure/);
    expect(r.stdout).not.toMatch(/PROCEED/);
  });

  it('--ca-file trusts the given certificate', async () => {
    fake = await httpsFake();
    const r = await migobsAsync(['gate', FIXTURE, '--prometheus-url', fake.url, '--ca-file', join(dir, 'cert.pem')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('WARNING');
  });

  it('--insecure-skip-verify answers, and says so loudly in the table, on stderr and in --json', async () => {
    fake = await httpsFake();
    const text = await migobsAsync(['gate', FIXTURE, '--prometheus-url', fake.url, '--insecure-skip-verify']);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(INSECURE_WARNING);
    expect(lines.at(-1)).toBe(INSECURE_WARNING);
    expect(text.stderr).toContain(INSECURE_WARNING);
    const json = await migobsAsync(['gate', FIXTURE, '--prometheus-url', fake.url, '--insecure-skip-verify', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ insecureSkipVerify: true, warning: INSECURE_WARNING, overall: { exitCode: 0 } });
  });

  it('watch --insecure-skip-verify marks every refresh', async () => {
    fake = await httpsFake();
    const r = await migobsAsync(['watch', FIXTURE, '--prometheus-url', fake.url, '--insecure-skip-verify', '--once']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^!TLS-NOT-VERIFIED! .* -> PROCEED \(--insecure-skip-verify: this answer may be forged\)$/m);
    expect(r.stderr).toContain(INSECURE_WARNING);
  });

  it('--insecure-skip-verify on plain http changes nothing and warns of nothing', async () => {
    fake = await startFake(gateAnswers('canary', GREEN));
    const r = await migobsAsync(['gate', FIXTURE, '--prometheus-url', fake.url, '--insecure-skip-verify', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ insecureSkipVerify: false });
  });
});

describe('credentials that cannot be sent are refused at once (exit 1, no stack, no request)', () => {
  it.each([
    [{ MIGOBS_PROMETHEUS_TOKEN: 'abc\r\nX-Injected: 1' }, /MIGOBS_PROMETHEUS_TOKEN contains a carriage return \(U\+000D\) at character 4/],
    [{ MIGOBS_PROMETHEUS_TOKEN: 'eyJhbGciOi.token\n' }, /MIGOBS_PROMETHEUS_TOKEN contains a line feed \(U\+000A\) at character 17: .*trailing newline/],
    [{ MIGOBS_PROMETHEUS_TOKEN: 'abc def' }, /MIGOBS_PROMETHEUS_TOKEN contains a space/],
    [{ MIGOBS_PROMETHEUS_TOKEN: 'tökén' }, /MIGOBS_PROMETHEUS_TOKEN contains a non-ASCII character \(U\+00F6\)/],
    [{ MIGOBS_PROMETHEUS_TOKEN: 'a\u001bb' }, /MIGOBS_PROMETHEUS_TOKEN contains a control character \(U\+001B\)/],
    [{ MIGOBS_PROMETHEUS_USER: 'ops', MIGOBS_PROMETHEUS_PASSWORD: 'pw\r\n' }, /MIGOBS_PROMETHEUS_PASSWORD contains a carriage return/],
    [{ MIGOBS_PROMETHEUS_USER: 'ops\n' }, /MIGOBS_PROMETHEUS_USER contains a line feed/],
    [{ MIGOBS_PROMETHEUS_USER: 'o:ps' }, /MIGOBS_PROMETHEUS_USER contains a colon/],
  ])('%o', async (env, message) => {
    fake = await startFake(gateAnswers('canary', GREEN));
    for (const cmd of [['gate'], ['watch', '--once']]) {
      const r = await migobsAsync([...cmd, FIXTURE, '--prometheus-url', fake.url, '--timeout', '20s'], { env, timeoutMs: 15_000 });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      for (const v of Object.values(env)) if (v.length > 4) expect(r.stderr).not.toContain(v.trim());
      expect(r.stdout).toBe('');
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('a sendable token and basic auth pass the check', () => {
    expect(credentialProblem({ bearerToken: 'eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo=' })).toBeUndefined();
    expect(credentialProblem({ basic: { user: 'öps', password: 'p:w d é' } })).toBeUndefined();
  });
});

describe('durations a timer cannot hold are refused', () => {
  it.each([
    [['gate', '--timeout', '25d'], /--timeout 25d is too long: the maximum is 24d20h31m23s647ms \(2147483647 ms, the longest a timer can wait\)/],
    [['watch', '--interval', '30d'], /--interval 30d is too long: the maximum is 24d20h31m23s647ms/],
    [['watch', '--timeout', '1y'], /--timeout 1y is too long/],
  ])('%o', async ([cmd, ...args], message) => {
    const r = await migobsAsync([cmd!, FIXTURE, '--prometheus-url', 'http://127.0.0.1:9', ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('an invalid --prometheus-url is never echoed with its password', () => {
  it.each([
    'http://ops:s3cr3t-pw@prom example:9090',
    'http://ops:s3cr3t-pw@[::1',
    'ops:s3cr3t-pw@prometheus:9090',
    'ftp://ops:s3cr3t-pw@prometheus',
    'http://ops:pa/s3cr3t-pw@prometheus:9090',
    'http://ops:s3cr3t-pw@prometheus:9090',
  ])('%s', async (url) => {
    for (const extra of [[], ['--debug']]) {
      const r = await migobsAsync(['gate', FIXTURE, '--prometheus-url', url, ...extra]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/--prometheus-url|MIGOBS_PROMETHEUS_USER/);
      expect(r.stderr).not.toContain('s3cr3t');
    }
  });

  it.each([
    ['http://u:pw@h st', 'http://***@h st'],
    ['u:pw@h', '***@h'],
    ['http://u:p@w@h', 'http://***@h'],
    ['http://h st', 'http://h st'],
  ])('redactUrl(%j) = %j', (text, shown) => {
    expect(redactUrl(text)).toBe(shown);
  });
});

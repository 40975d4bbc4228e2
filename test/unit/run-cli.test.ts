/** `migobs run` usage errors: exit 1, a message saying what to do, no stack trace, nothing started. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migobs } from '../helpers/cli';

const DEF = join(__dirname, '..', 'e2e', 'fixtures', 'run-pt-osc.yaml');
const P = ['--prometheus-url', 'http://127.0.0.1:1'];

describe('migobs run: bad input', () => {
  it.each([
    [[DEF, ...P, '--listen', '127.0.0.1:0'], /give the tool's command line after --/],
    [[DEF, ...P, '--', 'pt-online-schema-change', 'D=a,t=t'], /give exactly one of --listen HOST:PORT .* or --pushgateway URL/],
    [[DEF, ...P, '--listen', '127.0.0.1:0', '--pushgateway', 'http://x:9091', '--', 'gh-ost'], /give exactly one of --listen/],
    [[DEF, ...P, '--listen', '127.0.0.1:0', '--', 'my-script.sh'], /--tool is required: "my-script.sh" is neither pt-online-schema-change nor gh-ost/],
    [[DEF, ...P, '--listen', 'localhost', '--', 'gh-ost'], /--listen "localhost": give host:port/],
    [[DEF, ...P, '--pushgateway', 'http://u:secret@x:9091', '--', 'gh-ost'], /--pushgateway must not carry credentials/],
    [[DEF, ...P, '--listen', '127.0.0.1:0', '--phase-map', 'copy=nope', '--', 'gh-ost'], /--phase-map copy=nope: nope is not a phase of run-pt-osc/],
    [[DEF, ...P, '--listen', '127.0.0.1:0', '--interval', '10', '--', 'gh-ost'], /--interval must be a duration/],
    [[DEF, '--listen', '127.0.0.1:0', '--', 'gh-ost'], /--prometheus-url is required/],
    [[DEF, ...P, '--listen', '127.0.0.1:0', '--', 'pt-online-schema-change', '--plugin', '/x.pl', 'D=a,t=t'], /--plugin is already given/],
    [[DEF, ...P, '--pushgateway', 'http://127.0.0.1:9', '--', 'gh-ost'], /cannot push to the Pushgateway http:\/\/127\.0\.0\.1:9: .*nothing was started/],
    [['nope.yaml', ...P, '--listen', '127.0.0.1:0', '--', 'gh-ost'], /nope\.yaml/],
  ])('run %j', (args, message) => {
    const r = migobs(['run', ...args], { env: { MIGOBS_PROMETHEUS_URL: '', MIGOBS_PUSHGATEWAY_URL: '' } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toMatch(/starting /);
  });
});

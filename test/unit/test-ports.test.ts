/**
 * The live tests' port helper (test/helpers/ports.ts): ports the kernel never hands to an outgoing
 * connection, and never the same one twice in a test run, across test processes too. CI failed once
 * because a port learnt with listen(0) was taken by the time a runner bound it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli';
import { ephemeralRange, freePort, HOST } from '../helpers/ports';

const run = promisify(execFile);

/** `n` ports from a separate node process, as another test file of the run would get them. */
async function portsFromAnotherProcess(n: number): Promise<number[]> {
  const helper = transformSync(readFileSync(join(REPO, 'test', 'helpers', 'ports.ts'), 'utf8'), { loader: 'ts', format: 'esm' }).code;
  const script = `${helper}\nconst p = []; for (let i = 0; i < ${n}; i++) p.push(await freePort()); console.log(JSON.stringify(p));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: process.env });
  return JSON.parse(stdout) as number[];
}

describe('freePort', () => {
  it('gives ports below the ephemeral range, each one bindable', async () => {
    const [low] = ephemeralRange();
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(low);
      const server = createServer();
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, HOST, resolve));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('never gives a port twice in a run, after it was released too, and not to two processes at once', async () => {
    const [mine, a, b] = await Promise.all([
      (async () => {
        const p: number[] = [];
        for (let i = 0; i < 150; i++) p.push(await freePort());
        return p;
      })(),
      portsFromAnotherProcess(150),
      portsFromAnotherProcess(150),
    ]);
    const all = [...mine, ...a, ...b];
    expect(all).toHaveLength(450);
    expect(new Set(all).size).toBe(450);
  }, 60_000);
});

/**
 * Ports for the servers the live tests start, and for the runners Prometheus is told to scrape
 * before they listen.
 *
 * Why not `listen(0)` and close: the kernel takes that port from its ephemeral range, the same
 * range it takes the source port of every outgoing connection from. A test that learns a port,
 * closes it and binds it only later (a runner that starts after Prometheus was configured to
 * scrape it, or a `migobs run` started again and again on one `--listen` port) can find it taken
 * by some connection in the meantime: `EADDRINUSE` on a loaded CI machine.
 *
 * So a port comes from below the ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`),
 * which the kernel never hands out by itself, and is claimed for the rest of the test run with a
 * file created exclusively in the run's temporary folder (every test process of the run shares
 * it; the global teardown removes it), so no other test file of the run gets it again; a bind
 * probe skips ports that something else on the host listens on. Where no such range is left (a
 * host whose ephemeral range starts low), the kernel's pick is the fallback.
 */
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const HOST = '127.0.0.1';

/** The lowest port handed out: above the usual fixed ports of databases and exporters. */
const LOWEST = 20_000;
/** Fewer candidate ports than this below the ephemeral range: use the kernel's pick instead. */
const MIN_RANGE = 2_000;

/** [low, high] of the kernel's ephemeral range (Linux; the IANA range elsewhere). */
export function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    /* not Linux */
  }
  return [49_152, 65_535];
}

/** The folder of claim files, shared by every test process of this run. */
function claimDir(): string {
  const dir = join(process.env.MIGOBS_TEST_RUN_TMPDIR ?? tmpdir(), 'ports');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** True when this run had not claimed `port` yet and now has. */
function claim(dir: string, port: number): boolean {
  try {
    closeSync(openSync(join(dir, String(port)), 'wx'));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Listen on `port` (0: the kernel's pick) and close again; the port, or undefined when taken. */
function probe(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' || e.code === 'EACCES' ? resolve(undefined) : reject(e)));
    s.listen(port, HOST, () => {
      const bound = (s.address() as AddressInfo).port;
      s.close(() => resolve(bound));
    });
  });
}

/**
 * A port on 127.0.0.1 that nothing listens on and no other caller in this test run gets: outside
 * the kernel's ephemeral range, so no outgoing connection takes it while the test has not bound it.
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  if (ephemeralLow - LOWEST < MIN_RANGE) return (await probe(0))!;
  const dir = claimDir();
  const span = ephemeralLow - LOWEST;
  // Random start, then upwards: processes of one run rarely race for the same port, and when they
  // do the exclusive create decides.
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = LOWEST + ((start + i) % span);
    if (!claim(dir, port)) continue;
    if ((await probe(port)) === port) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${ephemeralLow - 1} on ${HOST}`);
}

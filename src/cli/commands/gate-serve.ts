import { UserError } from '../../diagnostics';
import { INSECURE_WARNING } from '../../live/format';
import { authFromEnv } from '../../live/prometheus';
import { GateServer, isLoopback, parseListen, STALE_INTERVALS } from '../../live/server';
import { checkSelection, durationOption, loadModel, makeClient, type LiveOptions } from '../../live/setup';
import { formatDuration } from '../../util/duration';

export interface GateServeOptions extends LiveOptions {
  phase?: string;
  gate?: string[];
  listen?: string;
  interval?: string;
  maxConnections?: string;
}

/** Default `--listen` (the issue's; loopback only). */
export const DEFAULT_LISTEN = '127.0.0.1:9090';
/** Evaluating more often than this only loads Prometheus. */
const MIN_INTERVAL_MS = 100;
/** A query never waits longer than this by default, so a hanging Prometheus shows within one interval. */
const MAX_DEFAULT_TIMEOUT_MS = 10_000;

/**
 * `migobs gate <file> --serve [--listen 127.0.0.1:9090] [--interval D] ...`: the gate server
 * (src/live/server.ts) until SIGTERM or SIGINT, then exit 0. Usage and definition errors exit 1
 * before anything listens.
 */
export async function gateServeCommand(file: string, opts: GateServeOptions): Promise<number> {
  const model = loadModel(file, opts.config);
  checkSelection(model, opts);
  const intervalMs = opts.interval !== undefined ? durationOption('--interval', opts.interval) : model.scrapeIntervalSeconds * 1000;
  if (intervalMs < MIN_INTERVAL_MS) throw new UserError(`--interval ${opts.interval ?? model.scrapeInterval} is too short: at least ${MIN_INTERVAL_MS}ms`);
  const listen = parseListen(opts.listen ?? DEFAULT_LISTEN);
  if ('error' in listen) throw new UserError(listen.error);
  let maxConnections = 256;
  if (opts.maxConnections !== undefined) {
    maxConnections = Number(opts.maxConnections);
    if (!/^[0-9]+$/.test(opts.maxConnections) || maxConnections < 1 || maxConnections > 65535) throw new UserError(`--max-connections must be a whole number from 1 to 65535, got ${JSON.stringify(opts.maxConnections)}`);
  }
  const client = makeClient(opts, formatDuration(Math.min(intervalMs, MAX_DEFAULT_TIMEOUT_MS)));

  const log = (line: string): void => {
    process.stderr.write(`migobs: ${new Date().toISOString()} ${line}\n`);
  };
  if (!isLoopback(listen.host)) {
    log(`WARNING: --listen ${listen.host} is not a loopback address: anyone who can reach this port can read the gates, their values and thresholds, and there is no authentication. Bind 127.0.0.1 and put a proxy with TLS and auth in front if others must reach it.`);
  }
  if (client.insecure) log(INSECURE_WARNING);
  if (opts.timeout !== undefined && durationOption('--timeout', opts.timeout) >= STALE_INTERVALS * intervalMs) {
    log(`WARNING: --timeout ${opts.timeout} is not shorter than ${STALE_INTERVALS} intervals (${formatDuration(STALE_INTERVALS * intervalMs)}): an evaluation that waits that long is stale when it ends, so a slow Prometheus reads as unknown`);
  }

  const server = new GateServer({
    model,
    client,
    run: { ...(opts.phase ? { phase: opts.phase } : {}), ...(opts.gate?.length ? { gateIds: opts.gate } : {}) },
    intervalMs,
    host: listen.host,
    port: listen.port,
    maxConnections,
    log,
    secrets: secretsOf(authFromEnv()),
  });
  // Wait for the signal from the start: one arriving while we bind must still stop us cleanly.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  let address: { url: string };
  try {
    address = await server.start();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const hint = err.code === 'EADDRINUSE' ? ' (the port is taken: Prometheus itself listens on 9090 by default; choose another with --listen)' : err.code === 'EADDRNOTAVAIL' ? ' (no interface of this machine has that address)' : err.code === 'EACCES' ? ' (ports below 1024 need privileges)' : '';
    await server.stop();
    throw new UserError(`cannot listen on ${opts.listen ?? DEFAULT_LISTEN}: ${err.code ?? err.message}${hint}`);
  }
  log(`gate server for ${model.id} listening on ${address.url} (/throttle, /check, /verdict, /rollback, /metrics); evaluating every ${formatDuration(intervalMs)} against ${client.url}; a verdict older than ${formatDuration(STALE_INTERVALS * intervalMs)} answers unknown`);
  const signal = await stopSignal;
  await server.stop();
  log(`${signal}: stopped`);
  return 0;
}

/** The credential texts that must never be echoed: token, password, and the basic-auth header value. */
function secretsOf(auth: ReturnType<typeof authFromEnv>): string[] {
  if (auth.bearerToken) return [auth.bearerToken];
  if (auth.basic) {
    const { user, password } = auth.basic;
    return [password, Buffer.from(`${user}:${password}`).toString('base64')].filter((s) => s !== '');
  }
  return [];
}

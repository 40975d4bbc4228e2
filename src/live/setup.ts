/**
 * What `gate` and `watch` share before they talk to Prometheus: one valid definition, resolved with
 * the repo config, and a client with timeout, auth from the environment and an optional CA file.
 * Every problem here is a usage/definition error (exit 1), never a gate state.
 */
import { UserError } from '../diagnostics';
import { loadConfig } from '../load/config';
import { parseHeaderArg } from '../load/deploy-config';
import type { ResolvedMigration } from '../model/types';
import { loadDefinitions } from '../pipeline';
import { formatDuration, parseDurationMs } from '../util/duration';
import { didYouMean } from '../util/suggest';
import { authFromEnv, credentialProblem, PrometheusClient, PrometheusError, readCaFile } from './prometheus';

export interface LiveOptions {
  prometheusUrl?: string;
  timeout?: string;
  caFile?: string;
  /** Do not verify TLS certificates (printed loudly on every answer). */
  insecureSkipVerify?: boolean;
  config?: string;
  /** `--header 'Name: value'` (repeatable). */
  header?: string[];
}

/** The environment variable with extra headers: one `Name: value` per line. */
export const HEADERS_ENV = 'MIGOBS_PROMETHEUS_HEADERS';

/**
 * Extra Prometheus API headers: `headers:` of the repo config, then MIGOBS_PROMETHEUS_HEADERS (one
 * `Name: value` per line), then `--header` (repeatable); a later source replaces an earlier one's
 * header of the same name (case-insensitive). Problems name the header, never its value.
 */
export function resolveHeaders(fromConfig: Record<string, string> | undefined, fromEnv: string | undefined, fromFlags: string[] | undefined): Record<string, string> {
  const out = new Map<string, [string, string]>();
  const put = (name: string, value: string): void => void out.set(name.toLowerCase(), [name, value]);
  for (const [n, v] of Object.entries(fromConfig ?? {})) put(n, v);
  for (const line of (fromEnv ?? '').split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const h = parseHeaderArg(line, HEADERS_ENV);
    if ('problem' in h) throw new UserError(h.problem);
    put(h.name, h.value);
  }
  for (const text of fromFlags ?? []) {
    const h = parseHeaderArg(text, '--header');
    if ('problem' in h) throw new UserError(h.problem);
    put(h.name, h.value);
  }
  return Object.fromEntries([...out.values()]);
}

/** The longest delay a Node.js timer holds (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export function loadModel(file: string, configFile?: string): ResolvedMigration {
  const { config, diagnostics: configProblems } = loadConfig(configFile);
  if (configProblems.length) throw new UserError('', configProblems);
  const result = loadDefinitions([file], config);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (!result.ok || result.migrations.length !== 1) throw new UserError(`${file} is not a valid definition`, errors);
  return result.migrations[0]!.model;
}

/** A duration option such as `10s` or `500ms`, in milliseconds, greater than 0. */
export function durationOption(name: string, text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) throw new UserError(`${name} must be a duration such as 10s or 500ms, got ${JSON.stringify(text)}`);
  if (ms > MAX_TIMER_MS) throw new UserError(`${name} ${text} is too long: the maximum is ${formatDuration(MAX_TIMER_MS)} (${MAX_TIMER_MS} ms, the longest a timer can wait)`);
  return ms;
}

export function makeClient(opts: LiveOptions, defaultTimeout = '10s'): PrometheusClient {
  if (!opts.prometheusUrl) throw new UserError('--prometheus-url is required (or set MIGOBS_PROMETHEUS_URL)');
  const timeoutMs = durationOption('--timeout', opts.timeout ?? defaultTimeout);
  if (process.env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
    // The client verifies certificates regardless (rejectUnauthorized: true); removing the variable
    // also silences Node's warning that claims the opposite.
    delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.stderr.write('migobs: NODE_TLS_REJECT_UNAUTHORIZED=0 is ignored: TLS certificates are verified (--insecure-skip-verify turns that off, and says so on every answer)\n');
  }
  const auth = authFromEnv();
  // Refused before any request: a header with a line break can never be sent.
  const problem = credentialProblem(auth);
  if (problem) throw new UserError(problem);
  const headers = resolveHeaders(loadConfig(opts.config).config.headers, process.env[HEADERS_ENV], opts.header);
  if ((auth.bearerToken || auth.basic) && Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
    throw new UserError('an Authorization header is given twice: by MIGOBS_PROMETHEUS_TOKEN/USER and by --header, headers: or MIGOBS_PROMETHEUS_HEADERS; keep one');
  }
  try {
    return new PrometheusClient({
      url: opts.prometheusUrl,
      timeoutMs,
      auth,
      ...(Object.keys(headers).length ? { headers } : {}),
      ...(opts.caFile ? { ca: readCaFile(opts.caFile) } : {}),
      ...(opts.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
    });
  } catch (e) {
    if (e instanceof PrometheusError) throw new UserError(e.message);
    throw e;
  }
}

/** `--phase` and `--gate` name a phase and enabled gates of the definition (else a usage error, exit 1). */
export function checkSelection(model: ResolvedMigration, opts: { phase?: string; gate?: string[] }): void {
  const phaseIds = model.phases.map((p) => p.id);
  if (opts.phase !== undefined && !phaseIds.includes(opts.phase)) {
    throw new UserError(`--phase ${opts.phase}: not a phase of ${model.id}${didYouMean(opts.phase, phaseIds)}; phases: ${phaseIds.join(', ')}`);
  }
  const gateIds = model.gates.map((g) => g.id);
  for (const id of opts.gate ?? []) {
    if (!gateIds.includes(id)) {
      const disabled = model.disabledGates.includes(id) ? ' (it is disabled in the definition)' : '';
      throw new UserError(`--gate ${id}: not an enabled gate of ${model.id}${disabled}${didYouMean(id, gateIds)}; gates: ${gateIds.join(', ') || 'none'}`);
    }
  }
}

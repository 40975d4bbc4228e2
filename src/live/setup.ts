/**
 * What `gate` and `watch` share before they talk to Prometheus: one valid definition, resolved with
 * the repo config, and a client with timeout, auth from the environment and an optional CA file.
 * Every problem here is a usage/definition error (exit 1), never a gate state.
 */
import { UserError } from '../diagnostics';
import { loadConfig } from '../load/config';
import type { ResolvedMigration } from '../model/types';
import { loadDefinitions } from '../pipeline';
import { parseDurationMs } from '../util/duration';
import { authFromEnv, PrometheusClient, PrometheusError, readCaFile } from './prometheus';

export interface LiveOptions {
  prometheusUrl?: string;
  timeout?: string;
  caFile?: string;
  config?: string;
}

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
  return ms;
}

export function makeClient(opts: LiveOptions, defaultTimeout = '10s'): PrometheusClient {
  if (!opts.prometheusUrl) throw new UserError('--prometheus-url is required (or set MIGOBS_PROMETHEUS_URL)');
  const timeoutMs = durationOption('--timeout', opts.timeout ?? defaultTimeout);
  try {
    return new PrometheusClient({
      url: opts.prometheusUrl,
      timeoutMs,
      auth: authFromEnv(),
      ...(opts.caFile ? { ca: readCaFile(opts.caFile) } : {}),
    });
  } catch (e) {
    if (e instanceof PrometheusError) throw new UserError(e.message);
    throw e;
  }
}

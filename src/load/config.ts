/**
 * Optional repo config `migobs.config.yaml` (in the working directory, or --config FILE):
 * grafanaUrl, runbookBaseUrl, datasourceUid, folder, routing defaults, outDir, deploy (the deploy
 * flavours, docs/deploy.md) and headers (extra Prometheus API headers).
 */
import { dirname, isAbsolute, join } from 'node:path';
import type { Diagnostic } from '../diagnostics';
import type { RepoConfig } from '../model/types';
import { didYouMean } from '../util/suggest';
import { RECEIVER_NAME_HINT, receiverNameProblem } from '../validate/rules/receiver-name-valid';
import { parseDeploy, parseHeaders } from './deploy-config';
import { CONFIG_FILE, configFileToRead } from './config-file';
import { loadFile, parseSource, type SourceFile } from './source';

export { CONFIG_FILE, configAbove } from './config-file';

const STRING_KEYS = ['grafanaUrl', 'runbookBaseUrl', 'datasourceUid', 'folder', 'outDir', 'grafanaDashboardsPath'] as const;
const URL_KEYS = new Set(['grafanaUrl', 'runbookBaseUrl']);

export interface LoadedConfig {
  config: RepoConfig;
  diagnostics: Diagnostic[];
  /** The config file read (undefined: none, defaults). */
  file?: string;
  /** The config file read, with positions (for findings about the config, e.g. relative-link). */
  source?: SourceFile;
}

/**
 * The repo config: `--config FILE`, else `migobs.config.yaml` in the working folder. A relative
 * `outDir` is relative to the config file's folder. `bytes`: the file's content, already read
 * (the CLI keys its result cache on them).
 */
export function loadConfig(explicit?: string, bytes?: Uint8Array): LoadedConfig {
  const file = configFileToRead(explicit);
  if (!file) return { config: {}, diagnostics: [] };
  const { source, diagnostics } = bytes ? parseSource(file, bytes) : loadFile(file);
  if (!source) return { config: {}, diagnostics, file };
  const data = source.data;
  const problems: Diagnostic[] = [];
  const at = (path: (string | number)[], message: string, part: 'key' | 'value' = 'value', hint?: string): void => {
    problems.push({ file, ...source.locate(path, part), severity: 'error', check: 'config', message, ...(hint ? { hint } : {}) });
  };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    at([], `${CONFIG_FILE} must be a mapping`);
    return { config: {}, diagnostics: problems, file, source };
  }
  const config: RepoConfig = {};
  const allowed = [...STRING_KEYS, 'routing', 'deploy', 'headers'];
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if ((STRING_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'string' || value === '') at([key], `\`${key}\` must be a non-empty string`);
      else if (URL_KEYS.has(key) && !/^https?:\/\/[^\s<>"]+$/.test(value)) at([key], `\`${key}\` must be an http(s) URL`);
      else (config as Record<string, string>)[key] = value.replace(/\/+$/, '');
    } else if (key === 'routing') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        at([key], '`routing` must be a mapping with page and notify');
        continue;
      }
      const routing: { page?: string; notify?: string } = {};
      for (const [rk, rv] of Object.entries(value as Record<string, unknown>)) {
        if (rk !== 'page' && rk !== 'notify') at([key, rk], `unknown key \`${rk}\` in routing${didYouMean(rk, ['page', 'notify'])}`, 'key');
        else if (typeof rv !== 'string' || rv === '') at([key, rk], `routing.${rk} must be a receiver name`);
        else if (receiverNameProblem(rv)) at([key, rk], `routing.${rk}: ${receiverNameProblem(rv)!}`, 'value', RECEIVER_NAME_HINT);
        else routing[rk] = rv;
      }
      config.routing = routing;
    } else if (key === 'deploy') {
      config.deploy = parseDeploy(value, at);
    } else if (key === 'headers') {
      config.headers = parseHeaders(value, at);
    } else {
      at([key], `unknown key \`${key}\` in ${CONFIG_FILE}${didYouMean(key, allowed)}`, 'key');
    }
  }
  if (config.outDir !== undefined && !isAbsolute(config.outDir)) config.outDir = join(dirname(file), config.outDir);
  return { config, diagnostics: problems, file, source };
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushLabels } from '../../adapters/gh-ost';
import { UserError } from '../../diagnostics';
import { INSECURE_WARNING } from '../../live/format';
import { parseListen } from '../../live/server';
import { durationOption, loadModel, makeClient, type LiveOptions } from '../../live/setup';
import { CommandAdapter } from '../../runner/command';
import { GhOstAdapter } from '../../runner/gh-ost';
import { stagePhases } from '../../runner/phases';
import { PtOscAdapter } from '../../runner/pt-osc';
import { Supervisor } from '../../runner/supervisor';
import type { ToolAdapter } from '../../runner/types';
import { formatDuration } from '../../util/duration';

export interface RunCommandOptions extends LiveOptions {
  tool?: string;
  listen?: string;
  pushgateway?: string;
  interval?: string;
  phaseMap?: string[];
  pauseGrace?: string;
}

const TOOLS = ['pt-osc', 'gh-ost', 'command'] as const;
const MIN_INTERVAL_MS = 100;

/** The tool from --tool, else from the program's name. */
function adapterFor(tool: string | undefined, argv: string[]): ToolAdapter {
  const program = (argv[0] ?? '').split('/').pop() ?? '';
  const name = tool ?? (/^pt-online-schema-change/.test(program) ? 'pt-osc' : /^gh-ost/.test(program) ? 'gh-ost' : undefined);
  if (name === undefined) throw new UserError(`--tool is required: ${JSON.stringify(program)} is neither pt-online-schema-change nor gh-ost; give --tool pt-osc, gh-ost or command`);
  if (name === 'pt-osc') return new PtOscAdapter();
  if (name === 'gh-ost') return new GhOstAdapter();
  if (name === 'command') return new CommandAdapter();
  throw new UserError(`--tool ${JSON.stringify(name)}: choose one of ${TOOLS.join(', ')}`);
}

/**
 * `migobs run <file> [--tool pt-osc|gh-ost|command] --prometheus-url U (--listen H:P | --pushgateway U) -- <command line>`.
 * Exit: the tool's own code; 3 rollback (the tool stopped its safe way); 4 the tool does not obey
 * the pause (stopped); 1 usage or definition error (nothing started); 128+N the tool died of signal N.
 */
export async function runCommand(file: string, command: string[], options: RunCommandOptions): Promise<number> {
  // An empty environment variable (MIGOBS_PUSHGATEWAY_URL=) counts as unset.
  const opts: RunCommandOptions = { ...options, pushgateway: options.pushgateway || undefined, prometheusUrl: options.prometheusUrl || undefined };
  if (!command.length) throw new UserError('give the tool\'s command line after --, e.g. migobs run m.yaml --prometheus-url U --listen 127.0.0.1:9464 -- pt-online-schema-change --execute ...');
  const model = loadModel(file, opts.config);
  const adapter = adapterFor(opts.tool, command);
  if ((opts.listen === undefined) === (opts.pushgateway === undefined)) {
    throw new UserError('give exactly one of --listen HOST:PORT (Prometheus scrapes migobs run) or --pushgateway URL: the gate reads the migration\'s phase from Prometheus');
  }
  const intervalMs = opts.interval !== undefined ? durationOption('--interval', opts.interval) : model.scrapeIntervalSeconds * 1000;
  if (intervalMs < MIN_INTERVAL_MS) throw new UserError(`--interval ${opts.interval} is too short: at least ${MIN_INTERVAL_MS}ms`);
  const graceMs = opts.pauseGrace !== undefined ? durationOption('--pause-grace', opts.pauseGrace) : Math.max(10_000, 3 * intervalMs);
  const phases = stagePhases(model, opts.phaseMap);
  if (typeof phases === 'string') throw new UserError(phases);
  let listen: { host: string; port: number } | undefined;
  if (opts.listen !== undefined) {
    const l = parseListen(opts.listen);
    if ('error' in l) throw new UserError(l.error);
    listen = l;
  }
  let pushgateway: { url: string; job: string; groupings: Record<string, string>; timeoutMs: number } | undefined;
  if (opts.pushgateway !== undefined) {
    let url: URL;
    try {
      url = new URL(opts.pushgateway);
    } catch {
      throw new UserError(`--pushgateway ${JSON.stringify(opts.pushgateway)} is not a URL: give e.g. http://pushgateway:9091`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`--pushgateway ${JSON.stringify(opts.pushgateway)}: http or https only`);
    if (url.username || url.password) throw new UserError('--pushgateway must not carry credentials in the URL');
    const labels = pushLabels(model);
    if (labels.unmatched.length) throw new UserError(`the definition's selector has matchers a pushed group cannot satisfy (${labels.unmatched.map((m) => `${m.name}${m.op}"${m.value}"`).join(', ')}): use = matchers, or --listen`);
    pushgateway = { url: opts.pushgateway, job: labels.job, groupings: labels.groupings, timeoutMs: Math.min(intervalMs, 10_000) };
  }
  const client = makeClient(opts, formatDuration(Math.min(intervalMs, 10_000)));
  const log = (line: string): void => {
    process.stderr.write(`migobs run: ${new Date().toISOString()} ${line}\n`);
  };
  if (client.insecure) log(INSECURE_WARNING);

  const handlers: ((sig: NodeJS.Signals) => void)[] = [];
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => handlers.forEach((h) => h(sig)));
  const supervisor = new Supervisor({
    model,
    client,
    adapter,
    argv: command,
    intervalMs,
    stagePhases: phases,
    workDir: mkdtempSync(join(tmpdir(), `migobs-run-${model.id}-`)),
    ...(listen ? { listen } : {}),
    ...(pushgateway ? { pushgateway } : {}),
    pauseGraceMs: graceMs,
    progressSeconds: Math.max(1, Math.round(intervalMs / 1000)),
    log,
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    onSignal: (h) => handlers.push(h),
  });
  const result = await supervisor.run();
  if (result.usage) throw new UserError(result.reason);
  log(`${result.reason}; exit ${result.exitCode}`);
  return result.exitCode;
}

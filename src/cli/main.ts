/**
 * migobs command line. Each command lives in commands/<name>.ts and is imported only when it runs,
 * so `migobs validate` never loads the dashboard SDK or the Prometheus client.
 */
import { Command, Option } from 'commander';
import { UserError } from '../diagnostics';
import { tuneCompilerFor } from './jit';
import { printDiagnostics } from './output';

declare const MIGOBS_VERSION: string;

/**
 * Each command is its own bundle (dist/commands/<name>.js, see scripts/build.mjs), required only
 * when it runs. `module.require` keeps esbuild from bundling it and avoids the ESM loader's export
 * scanning of a CommonJS file, which would cost more than the command itself.
 */
function command<T>(name: string): T {
  const loaded = module.require(`./commands/${name}.js`) as T;
  tuneCompilerFor(name);
  return loaded;
}

/** Exit code set by a command; errors thrown as UserError print their diagnostics and exit 1. */
async function run(fn: () => Promise<number | void>): Promise<void> {
  try {
    const code = await fn();
    process.exitCode = typeof code === 'number' ? code : 0;
  } catch (e) {
    // Commands are separate bundles with their own copy of UserError: recognise it by name too.
    if (e instanceof UserError || (e instanceof Error && e.name === 'UserError' && Array.isArray((e as UserError).diagnostics))) {
      const ue = e as UserError;
      printDiagnostics(ue.diagnostics);
      if (ue.message) process.stderr.write(`migobs: ${ue.message}\n`);
      if (debug()) process.stderr.write(`${ue.stack}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`migobs: ${e instanceof Error ? e.message : String(e)}\n`);
    if (debug()) process.stderr.write(`${e instanceof Error ? e.stack : ''}\n`);
    else process.stderr.write('(run with --debug for details)\n');
    process.exitCode = 1;
  }
}

function debug(): boolean {
  return process.argv.includes('--debug') || process.env.MIGOBS_DEBUG === '1';
}

/**
 * The connection options of every command that asks Prometheus (gate, watch, run, report, baseline,
 * backtest): one wording, one environment variable. Only what differs is a parameter: the URL's
 * role, and whether an unverified answer is warned about.
 */
const prometheusUrlOption = (help = 'Prometheus base URL'): Option => new Option('--prometheus-url <url>', help).env('MIGOBS_PROMETHEUS_URL');
const caFileOption = (): Option => new Option('--ca-file <file>', 'PEM CA certificate(s) to trust for https');
const insecureSkipVerifyOption = (warned = ' (warned)'): Option => new Option('--insecure-skip-verify', `do not verify the TLS certificate${warned}`);

/** Every command that takes many definitions also takes directories. */
const FILES_ARG = 'definition files, or directories: a directory reads the *.yaml and *.yml files directly in it (not subfolders), in name order';

/** Every command's name, in the order `migobs --help` lists them. */
export const COMMAND_NAMES = ['validate', 'init', 'presets', 'generate', 'alertmanager', 'routes-test', 'lint', 'gate', 'watch', 'report', 'hook', 'exporter-setup', 'run', 'schema', 'baseline', 'backtest'] as const;

/**
 * The program, with every command, or with only `only` when that names one: a run of one command
 * never looks at the others, and defining all sixteen (their options, help texts, choices) cost
 * about 2 ms of every pre-commit run. Parsing, help and errors of that command are the same either
 * way (test/unit/cli-program.test.ts compares them); anything else (`--help`, `help`, a typo)
 * gets the whole program.
 */
export function buildProgram(only?: string): Command {
  const one = (COMMAND_NAMES as readonly string[]).includes(only ?? '') ? only : undefined;
  const program = new Command('migobs');
  // `define(name)?.description(...)...`: the optional chain skips a command's whole definition.
  const define = (name: (typeof COMMAND_NAMES)[number]): Command | undefined => (one === undefined || one === name ? program.command(name) : undefined);
  program
    .description('Migration observability as code: dashboards, alert rules and tests, routing and a runbook from one definition.')
    .version(typeof MIGOBS_VERSION === 'string' ? MIGOBS_VERSION : '0.0.0-dev')
    .option('--debug', 'print stack traces for errors')
    .option('--config <file>', 'repo config file (default: ./migobs.config.yaml when present)')
    .showHelpAfterError('(run `migobs --help` for usage)')
    .configureOutput({ outputError: (str, write) => write(str) });

  define('validate')
    ?.description('check definitions: schema and semantic rules; every problem as file:line:col')
    .argument('<files...>', FILES_ARG)
    .option('--json', 'print the problems as JSON')
    .action((files: string[], opts: { json?: boolean }) => run(async () => command<typeof import('./commands/validate')>('validate').validateCommand(files, { ...opts, config: program.opts().config })));

  define('init')
    ?.description('write a commented definition from a preset, and migobs.config.yaml (alert link placeholders) when there is none')
    .argument('<id>', 'migration id (lower-case letters, digits, dashes; at most 40)')
    .requiredOption('--type <type>', 'migration type: schema-only, backfill, online-rewrite, cutover, dual-write, reindex')
    .option('--engine <engine>', 'postgres, mysql or generic', 'postgres')
    .option('--out <file>', 'where to write (default: migrations/<id>.yaml)')
    .option('--force', 'overwrite an existing file')
    .action((id: string, opts: { type: string; engine: string; out?: string; force?: boolean }) => run(async () => command<typeof import('./commands/init')>('init').initCommand(id, { ...opts, config: program.opts().config })));

  define('presets')
    ?.description('list the presets, or show one preset’s phases and gates')
    .argument('[type]', 'a migration type')
    .option('--engine <engine>', 'show the gates and signals for this engine', 'postgres')
    .option('--json', 'print as JSON')
    .action((type: string | undefined, opts: { engine: string; json?: boolean }) => run(async () => command<typeof import('./commands/presets')>('presets').presetsCommand(type, opts)));

  const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
  define('generate')
    ?.description('write the dashboard, rules, rule tests, routing, runbook and docs of each migration')
    .argument('<files...>', FILES_ARG)
    .option('--out-dir <dir>', 'output folder (default: outDir from migobs.config.yaml, else out)')
    .option('--check', 'write nothing; exit 1 when the output on disk is stale, missing or has extra files')
    .option('-q, --quiet', 'print nothing on success')
    .option('--lock-timeout <duration>', 'how long to wait while another generate writes the same folder (it holds <out>/.migobs.lock)', '30s')
    .option('--flavor <name>', 'packaging, repeatable: files (default), prometheus-operator, grafana-operator, configmap, mimir, grafana-alerting', collect)
    .addHelpText('after', '\nLayout of the output folder and how Prometheus, Grafana and Alertmanager load it: docs/layout.md.\nFlavours (PrometheusRule, GrafanaDashboard, sidecar ConfigMaps, Mimir rule files, Grafana-managed alerts): docs/deploy.md.')
    .action((files: string[], opts: { outDir?: string; check?: boolean; quiet?: boolean; lockTimeout?: string; flavor?: string[] }) => run(async () => command<typeof import('./commands/generate')>('generate').generateCommand(files, { ...opts, config: program.opts().config })));

  // COMMANDS: lint, gate, watch, alertmanager, routes-test, hook and exporter-setup are registered below.

  define('alertmanager')
    ?.description('print a base Alertmanager config with the migrations\' routes (first) and inhibit rules merged in')
    .requiredOption('--base <file>', 'the existing alertmanager.yml (must define every receiver the definitions name)')
    .argument('<files...>', FILES_ARG)
    .addHelpText('after', '\nRe-running on a config that already holds a migration replaces its routes instead of adding copies.')
    .action((files: string[], opts: { base: string }) => run(async () => command<typeof import('./commands/alertmanager')>('alertmanager').alertmanagerCommand(files, { ...opts, config: program.opts().config })));

  define('routes-test')
    ?.description('check routing-cases files (written by generate) against an Alertmanager config with amtool, case by case')
    .argument('<alertmanager.yml>', 'the Alertmanager config to test (e.g. the output of `migobs alertmanager`)')
    .argument('<files...>', 'routing-cases files')
    .option('--amtool <path>', 'the amtool binary (default: amtool on PATH)')
    .addHelpText('after', '\nEach case is read as data and passed to `amtool config routes test` as an argument list, never through a shell.\nExit: 0 every case routes as expected, 1 otherwise.')
    .action((config: string, files: string[], opts: { amtool?: string }) => run(async () => command<typeof import('./commands/routes-test')>('routes-test').routesTestCommand(config, files, opts)));

  define('lint')
    ?.description('threshold and rule sanity for CI; with --out-dir also drift of committed output from the definition')
    .argument('<files...>', FILES_ARG)
    .option('--out-dir <dir>', 'committed output folder to check for drift (default: outDir from migobs.config.yaml)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'github']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning', 'info']).default('error'))
    .action((files: string[], opts: { outDir?: string; format: 'text' | 'json' | 'github'; failOn: 'error' | 'warning' | 'info' }) => run(async () => command<typeof import('./commands/lint')>('lint').lintCommand(files, { ...opts, config: program.opts().config })));

  define('gate')
    ?.description('live go/no-go: evaluate the gates of the current phase against Prometheus (fail-closed)')
    .argument('<file>', 'definition file')
    .addOption(prometheusUrlOption())
    .option('--phase <phase>', 'evaluate the gates of this phase instead of the current one (from migration_phase)')
    .option('--gate <id>', 'evaluate only this gate (repeatable)', collect)
    .option('--timeout <duration>', 'deadline of the whole answer (all its Prometheus queries); default 10s, with --serve the interval (at most 10s)')
    .addOption(caFileOption())
    .addOption(insecureSkipVerifyOption(' (warned on every answer)'))
    .option('--header <header>', "extra request header 'Name: value' (repeatable), e.g. 'X-Scope-OrgID: team-a' for Mimir/Cortex/Thanos; also headers: in the config and MIGOBS_PROMETHEUS_HEADERS; values are never printed", collect)
    .option('--json', 'print per-gate value, thresholds, state and reason as JSON')
    .option('--serve', 'run as an HTTP gate server (gh-ost --throttle-http, freno-style /check, Argo Rollouts, Flagger) until SIGTERM/SIGINT; see docs/integrations.md')
    .option('--listen <host:port>', 'with --serve: address to bind (default 127.0.0.1:9090; a non-loopback address is warned about)')
    .option('--interval <duration>', 'with --serve: evaluate every this long (default: the definition\'s scrapeInterval)')
    .option('--max-connections <n>', 'with --serve: connections held at once (default 256)')
    .addHelpText('after', '\nExit: 0 proceed, 2 pause, 3 rollback, 4 unknown (no data, Prometheus unreachable, erroring or partial), 1 usage/definition error; rollback outranks unknown.\nWith --serve: HTTP 200 proceed, 429 pause, 417 rollback, 503 unknown on /throttle and /check; exit 0 on SIGTERM/SIGINT.\nAuth: MIGOBS_PROMETHEUS_TOKEN (bearer) or MIGOBS_PROMETHEUS_USER + MIGOBS_PROMETHEUS_PASSWORD (basic). Headers: --header, headers: in migobs.config.yaml, MIGOBS_PROMETHEUS_HEADERS (one Name: value per line); HTTP 401/403 is unknown.')
    .action((file: string, opts: { prometheusUrl?: string; phase?: string; gate?: string[]; timeout?: string; caFile?: string; insecureSkipVerify?: boolean; header?: string[]; json?: boolean; serve?: boolean; listen?: string; interval?: string; maxConnections?: string }) =>
      run(async () => {
        const { serve, listen, interval, maxConnections, json, ...common } = opts;
        if (serve) {
          if (json) throw new UserError('--json does not apply to --serve (GET /check answers JSON)');
          return command<typeof import('./commands/gate-serve')>('gate-serve').gateServeCommand(file, { ...common, listen, interval, maxConnections, config: program.opts().config });
        }
        const serveOnly = [listen !== undefined && '--listen', interval !== undefined && '--interval', maxConnections !== undefined && '--max-connections'].filter(Boolean);
        if (serveOnly.length) throw new UserError(`${serveOnly.join(', ')}: needs --serve`);
        return command<typeof import('./commands/gate')>('gate').gateCommand(file, { ...common, json, timeout: common.timeout ?? '10s', config: program.opts().config });
      }),
    );

  define('watch')
    ?.description('live terminal view: progress bar, rows/s, ETA, phase and the gate table')
    .argument('<file>', 'definition file')
    .addOption(prometheusUrlOption())
    .option('--interval <duration>', 'refresh interval', '5s')
    .option('--timeout <duration>', 'deadline of the whole answer (all its Prometheus queries)', '10s')
    .addOption(caFileOption())
    .addOption(insecureSkipVerifyOption(' (warned on every refresh)'))
    .option('--header <header>', "extra request header 'Name: value' (repeatable), e.g. 'X-Scope-OrgID: team-a'; values are never printed", collect)
    .option('--once', 'print one refresh and exit with the gate exit code')
    .addHelpText('after', '\nCtrl-C exits with 0. Plain lines (one per refresh) when stdout is not a terminal.')
    .action((file: string, opts: { prometheusUrl?: string; interval: string; timeout: string; caFile?: string; insecureSkipVerify?: boolean; header?: string[]; once?: boolean }) =>
      run(async () => command<typeof import('./commands/watch')>('watch').watchCommand(file, { ...opts, config: program.opts().config })),
    );

  define('report')
    ?.description('post-migration report from Prometheus history: one self-contained HTML page (charts inlined) or a Markdown summary')
    .argument('<file>', 'definition file')
    .addOption(prometheusUrlOption())
    .requiredOption('--from <time>', 'start of the migration: RFC 3339 (2026-05-01T10:00:00Z), Unix seconds, now or now-6h')
    .requiredOption('--to <time>', 'end of the migration (same forms as --from)')
    .option('--out <file>', 'where to write; - for stdout (default: report.html, or report.md with --format md)')
    .addOption(new Option('--format <format>', 'html: one self-contained page with charts; md: a summary for a post-mortem or PR').choices(['html', 'md']).default('html'))
    .option('--step <duration>', 'one point every this long (default: picked to give about 1500 points, at least the scrape interval)')
    .option('--max-points <n>', 'refuse a --step that needs more points per series than this', '11000')
    .option('--compare-window <duration>', 'length of the windows before the start and after the end compared by the regression check', '1h')
    .option('--regression-margin <percent>', 'flag a signal percentile worse after than before by more than this', '20')
    .option('--timeout <duration>', 'deadline of each Prometheus request', '30s')
    .addOption(caFileOption())
    .addOption(insecureSkipVerifyOption(''))
    .addHelpText('after', '\nExit: 0 complete report written, 2 report written with missing parts (listed in it and on stderr), 1 nothing written (no data, bad input, range too large).\nSections, statistics and caveats: docs/report.md.')
    .action((file: string, opts: Record<string, string | boolean | undefined>) =>
      run(async () => command<typeof import('./commands/report')>('report').reportCommand(file, { ...(opts as object), config: program.opts().config })),
    );

  define('hook')
    ?.description('adapters for telemetry migration tools already publish: gh-ost hooks pushing the metric contract to a Pushgateway')
    .argument('<tool>', 'gh-ost')
    .argument('<file>', 'definition file')
    .option('--event <name>', 'the gh-ost hook being run (gh-ost-on-startup, gh-ost-on-status, ...; the installed shims pass it)')
    .option('--install <dir>', 'write an executable shim per gh-ost hook event into DIR (gh-ost --hooks-path DIR)')
    .addOption(new Option('--pushgateway <url>', 'Pushgateway base URL').env('MIGOBS_PUSHGATEWAY_URL'))
    .option('--state-dir <dir>', 'where the hook keeps its state between calls (default: <tmp>/migobs-gh-ost)')
    .option('--phase-map <event=phase>', 'the phase an event starts (repeatable), e.g. gh-ost-on-before-row-copy=canary', collect)
    .option('--timeout <duration>', 'give up pushing after this long; gh-ost waits for its hooks (default 5s)')
    .option('--force', 'with --install: overwrite files that migobs did not write')
    .addHelpText('after', '\nExit: 0; gh-ost-on-startup exits 1 on any problem (gh-ost then refuses to start), every later hook reports problems on stderr and exits 0 so the migration is never failed by its monitoring.')
    .action((tool: string, file: string, opts: { event?: string; install?: string; pushgateway?: string; stateDir?: string; phaseMap?: string[]; timeout?: string; force?: boolean }) =>
      run(async () => command<typeof import('./commands/hook')>('hook').hookCommand(tool, file, { ...opts, config: program.opts().config })),
    );

  define('exporter-setup')
    ?.description('write the exporter files an engine\'s signals need; print the exporter flags and a Prometheus scrape config')
    .argument('<engine>', 'postgres, mysql or generic')
    .option('--out <dir>', 'write the files into this folder (without it nothing is written and the flags name the package\'s copies)')
    .option('--force', 'replace files in --out that differ from the shipped ones')
    .option('--json', 'print files, steps, flags and scrape configs as JSON')
    .addHelpText('after', '\nFiles are written all or nothing; an existing file with other content is refused without --force.\nSee docs/exporter-setup.md.')
    .action((engine: string, opts: { out?: string; force?: boolean; json?: boolean }) => run(async () => command<typeof import('./commands/exporter-setup')>('exporter-setup').exporterSetupCommand(engine, opts)));

  define('run')
    ?.description('run pt-online-schema-change, gh-ost or a command under the gate: its progress as the metric contract, paused and stopped the tool\'s own way')
    .argument('<file>', 'definition file')
    .argument('[command...]', 'after --: the tool\'s command line, run as given (no shell) with migobs\' control flags added')
    .addOption(new Option('--tool <tool>', 'pt-osc, gh-ost or command (default: from the program name)').choices(['pt-osc', 'gh-ost', 'command']))
    .addOption(prometheusUrlOption('Prometheus base URL (the gate)'))
    .option('--listen <host:port>', 'serve the metric contract on http://HOST:PORT/metrics for Prometheus to scrape')
    .addOption(new Option('--pushgateway <url>', 'or push it to this Pushgateway every interval').env('MIGOBS_PUSHGATEWAY_URL'))
    .option('--interval <duration>', 'evaluate the gate every this long (default: the definition\'s scrapeInterval)')
    .option('--timeout <duration>', 'deadline of one gate evaluation (default: the interval, at most 10s)')
    .option('--phase-map <stage=phase>', 'the phase a tool stage starts (repeatable; stages start, copy, postponed, cut-over, done), e.g. copy=canary', collect)
    .option('--pause-grace <duration>', 'rows may still move this long after a pause (the chunk in flight); default 3 intervals, at least 10s')
    .addOption(caFileOption())
    .addOption(insecureSkipVerifyOption())
    .addHelpText('after', '\nThe tool starts after the gate first says proceed. pause/unknown: the tool\'s own pause (pt-osc --pause-file, gh-ost --throttle-additional-flag-file); rollback: its safe stop (pt-osc: a plugin fails the copy so pt-osc drops its triggers and new table; gh-ost: --panic-flag-file).\nExit: the tool\'s own code; 3 rollback; 4 the tool did not obey the pause (stopped); 1 usage/definition error (nothing started). SIGINT/SIGTERM are forwarded to the tool. See docs/integrations.md.')
    .action((file: string, toolArgv: string[], opts: { tool?: string; prometheusUrl?: string; listen?: string; pushgateway?: string; interval?: string; timeout?: string; phaseMap?: string[]; pauseGrace?: string; caFile?: string; insecureSkipVerify?: boolean }) =>
      run(async () => command<typeof import('./commands/run')>('run').runCommand(file, toolArgv, { ...opts, config: program.opts().config })),
    );

  define('schema')
    ?.description('print the definition JSON Schema')
    .action(() => run(async () => command<typeof import('./commands/schema')>('schema').schemaCommand()));

  program.addOption(new Option('--no-color', 'disable colours (NO_COLOR is honoured too)').hideHelp());
  const historyAuth = '\nAuth: MIGOBS_PROMETHEUS_TOKEN (bearer) or MIGOBS_PROMETHEUS_USER + MIGOBS_PROMETHEUS_PASSWORD (basic). Exit 0; 1 on bad input or any fault (Prometheus down or failing mid-way, no data, a range needing too many points); nothing is written then.';
  define('baseline')
    ?.description('each gate\'s signal over a past window: p50/p95/p99/max, time the current thresholds would pause or roll back, suggested thresholds (see docs/baseline.md)')
    .argument('<file>', 'definition file')
    .addOption(prometheusUrlOption())
    .option('--window <duration>', 'length of the window ending at --end', '7d')
    .option('--end <time>', 'end of the window: RFC 3339, Unix seconds, now or now-<duration>', 'now')
    .option('--step <duration>', 'resolution (default: the smallest of 1s..1d, at least spec.scrapeInterval, that fits 11000 points)')
    .option('--margin <percent>', 'margin added to the percentile for a suggested pause', '20')
    .option('--max-points <n>', 'refuse a query needing more points than this (steps x series)')
    .option('--timeout <duration>', 'time budget of each range request', '30s')
    .addOption(caFileOption())
    .addOption(insecureSkipVerifyOption())
    .option('--write', 'set the suggested pause values in the definition, in place, keeping comments and layout')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', historyAuth)
    .action((file: string, opts: Record<string, string | boolean | undefined>) => run(async () => command<typeof import('./commands/baseline')>('baseline').baselineCommand(file, { ...opts, config: program.opts().config })));

  define('backtest')
    ?.description('replay every gate\'s generated alerts over a past range: episodes and time in each state (see docs/backtest.md)')
    .argument('<file>', 'definition file')
    .addOption(prometheusUrlOption())
    .option('--from <time>', 'start: RFC 3339, Unix seconds, now or now-<duration>')
    .option('--to <time>', 'end: RFC 3339, Unix seconds, now or now-<duration>')
    .option('--phase <phase>', 'replay as if the migration had been in this phase for the whole range (default: phases from migration_phase)')
    .option('--step <duration>', 'evaluation step; use your rule evaluation_interval (default: spec.scrapeInterval)')
    .option('--max-points <n>', 'refuse a query needing more points than this (steps x series)')
    .option('--timeout <duration>', 'time budget of each range request', '30s')
    .addOption(caFileOption())
    .addOption(insecureSkipVerifyOption())
    .option('--json', 'print the report as JSON')
    .addHelpText('after', historyAuth)
    .action((file: string, opts: Record<string, string | boolean | undefined>) => run(async () => command<typeof import('./commands/backtest')>('backtest').backtestCommand(file, { ...opts, config: program.opts().config })));

  return program;
}

/** Entry point used by bin/migobs.js. */
export function main(argv: string[] = process.argv): void {
  if (argv.includes('--no-color')) process.env.NO_COLOR = '1';
  // argv[2] is the command when it comes first (`migobs validate ...`); after a global option it
  // is that option, and the whole program is built.
  buildProgram(argv[2])
    .parseAsync(argv)
    .catch((e: unknown) => {
      process.stderr.write(`migobs: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    });
}

/** `migobs exporter-setup` output: steps a person follows, as text or as JSON for scripts. Pure. */
import type { InstallStatus } from '../write/install';
import { shellLine, shellQuote } from '../render/shell';
import { toYamlFragment } from '../render/serialize';
import { dsnOf, scrapeConfigs, signalsNeeding, type EngineSetup, type ExporterStep } from './setup';

export interface FileOutcome {
  name: string;
  path: string;
  /** What happened with --out; `in-package` without it (nothing written). */
  status: InstallStatus | 'in-package';
  purpose: string;
}

/** The exporter's command line for a shell: DSN variable (when it has one), binary, one flag per line. */
export function commandLine(step: ExporterStep): string {
  const words = [...(step.dsn ? [`${step.dsn.env}=${shellQuote(dsnOf(step.dsn))}`] : []), step.binary, ...step.flags.map((f) => shellQuote(f.flag))];
  return words.map((w, i) => `${i === 0 ? '' : '  '}${w}${i < words.length - 1 ? ' \\' : ''}`).join('\n');
}

export function setupJson(setup: EngineSetup, files: FileOutcome[]): unknown {
  return {
    engine: setup.engine,
    files,
    prepare: setup.prepare.map((p) => ({ title: p.title, argv: p.argv, ...(p.stdinFile ? { stdinFile: p.stdinFile } : {}), ...(p.note ? { note: p.note } : {}) })),
    exporters: setup.exporters.map((e) => ({
      name: e.name,
      binary: e.binary,
      testedVersion: e.testedVersion,
      runOn: e.runOn,
      ...(e.dsn ? { dsn: { env: e.dsn.env, value: dsnOf(e.dsn), template: e.dsn.template, parameters: e.dsn.parameters, why: e.dsn.why } } : {}),
      flags: e.flags.map((f) => ({ flag: f.flag, why: f.why, neededBy: signalsNeeding(setup.engine, f) })),
      port: e.port,
      commandLine: commandLine(e),
      notes: e.notes,
    })),
    scrapeConfigs: scrapeConfigs(setup),
    notes: setup.notes,
  };
}

export function setupText(setup: EngineSetup, files: FileOutcome[]): string {
  const out: string[] = [];
  const tested = setup.exporters.map((e) => `${e.binary} ${e.testedVersion}`).join(', ');
  out.push(`migobs exporter setup: ${setup.engine} (tested with ${tested})`, '');
  if (files.length > 0) {
    const inPackage = files.every((f) => f.status === 'in-package');
    out.push(inPackage ? 'Files (in the migobs package; --out DIR copies them):' : 'Files:');
    const width = Math.max(...files.map((f) => f.path.length));
    for (const f of files) out.push(`  ${inPackage ? '' : `${f.status.padEnd(9)} `}${f.path.padEnd(width)}  ${f.purpose}`);
    out.push('');
  }
  let n = 0;
  for (const p of setup.prepare) {
    out.push(`${++n}. ${p.title}:`, `   ${shellLine(p.argv)}${p.stdinFile ? ` < ${shellQuote(p.stdinFile)}` : ''}`);
    if (p.note) out.push(`   ${p.note}`);
    out.push('');
  }
  for (const e of setup.exporters) {
    out.push(`${++n}. ${e.name} on ${e.runOn}:`);
    out.push(...commandLine(e).split('\n').map((l) => `   ${l}`));
    if (e.dsn) out.push(`   ${Object.keys(e.dsn.parameters).length ? `${Object.keys(e.dsn.parameters).join(', ')} in the DSN` : 'DSN'}: ${e.dsn.why}.`);
    for (const f of e.flags) {
      const needed = signalsNeeding(setup.engine, f);
      if (needed.length > 0) out.push(`   ${f.flag.split('=')[0]}: ${f.why}; needed by ${needed.join(', ')}.`);
    }
    for (const note of e.notes) out.push(`   ${note}`);
    out.push('');
  }
  out.push(`${++n}. Prometheus: add these jobs to scrape_configs in prometheus.yml (replace the example hosts):`);
  out.push(toYamlFragment({ scrape_configs: scrapeConfigs(setup) }).trimEnd());
  out.push('');
  for (const note of setup.notes) out.push(note);
  out.push('Details: docs/exporter-setup.md in the migobs package.');
  return `${out.join('\n')}\n`;
}

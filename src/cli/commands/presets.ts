import { ENGINES, MIGRATION_TYPES, type Engine, type MigrationType } from '../../definition/types';
import { UserError } from '../../diagnostics';
import { engineSignals, loadPreset } from '../../presets/load';
import { didYouMean } from '../../util/suggest';
import { paint, table } from '../output';

/** `migobs presets [type]`: the six presets, or one preset's phases and gates for an engine. */
export async function presetsCommand(type: string | undefined, opts: { engine: string; json?: boolean }): Promise<number> {
  if (!ENGINES.includes(opts.engine as Engine)) {
    throw new UserError(`unknown engine \`${opts.engine}\`${didYouMean(opts.engine, ENGINES)}; choose one of ${ENGINES.join(', ')}`);
  }
  const engine = opts.engine as Engine;
  if (type === undefined) {
    const rows = MIGRATION_TYPES.map((t) => {
      const p = loadPreset(t);
      return [t, p.title, p.phases.map((ph) => ph.id).join(' > '), String(p.gates.length), p.summary ?? ''];
    });
    if (opts.json) {
      process.stdout.write(JSON.stringify(MIGRATION_TYPES.map((t) => loadPreset(t)), null, 2) + '\n');
    } else {
      process.stdout.write(table(['type', 'title', 'phases', 'gates', 'summary'], rows) + '\n');
      process.stdout.write(`\n${paint('migobs presets <type> [--engine postgres|mysql|generic]', 'dim')} shows a preset's gates.\n`);
    }
    return 0;
  }
  if (!MIGRATION_TYPES.includes(type as MigrationType)) {
    throw new UserError(`unknown preset \`${type}\`${didYouMean(type, MIGRATION_TYPES)}; presets: ${MIGRATION_TYPES.join(', ')}`);
  }
  const preset = loadPreset(type as MigrationType);
  const signals = { ...engineSignals(engine), ...(preset.signals ?? {}) };
  const gates = preset.gates.filter((g) => !g.engines || g.engines.includes(engine));
  if (opts.json) {
    process.stdout.write(JSON.stringify({ ...preset, engine, gates, signals: Object.fromEntries(gates.map((g) => [g.signal, signals[g.signal]])) }, null, 2) + '\n');
    return 0;
  }
  const out: string[] = [];
  out.push(paint(`${preset.title} (${preset.type}), ${engine} signals`, 'bold'));
  if (preset.summary) out.push(preset.summary);
  out.push('', paint('Phases', 'bold'));
  for (const [i, p] of preset.phases.entries()) {
    out.push(`${i + 1}. ${paint(p.id, 'cyan')}  ${p.title ?? p.id}`);
    for (const c of p.proceed ?? []) out.push(`     proceed when: ${c}`);
  }
  out.push('', paint('Gates', 'bold'));
  out.push(
    table(
      ['gate', 'signal', 'direction', 'pause', 'rollback', 'for', 'rollback for', 'phases'],
      gates.map((g) => [g.id, g.signal, g.direction ?? 'above', String(g.pause), String(g.rollback), g.for, g.rollbackFor ?? g.for, (g.phases ?? ['all']).join(',')]),
    ),
  );
  const skipped = preset.gates.filter((g) => g.engines && !g.engines.includes(engine));
  if (skipped.length) out.push(paint(`(not on ${engine}: ${skipped.map((g) => g.id).join(', ')})`, 'dim'));
  out.push('', paint('Signals', 'bold'));
  const used = [...new Set(gates.map((g) => g.signal))];
  // `reads`: the spec.targets entry whose matchers migobs injects (docs/definition.md "Targets").
  const reads = (s: string): string => {
    const t = signals[s]?.target;
    if (!t) return '';
    if (t === 'migration') return 'selector';
    const per = signals[s]?.seriesPer;
    return `targets.${t}${per ? ` (1 series per ${per === 'replicas' ? 'replica' : per === 'hosts' ? 'host' : 'instance'})` : ''}`;
  };
  out.push(table(['signal', 'unit', 'reads', 'expr', 'needs'], used.map((s) => [s, signals[s]?.unit ?? '', reads(s), signals[s]?.expr.replace(/\s+/g, ' ') ?? '(missing)', signals[s]?.requires ?? ''])));
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

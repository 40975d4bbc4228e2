/**
 * spec.targets: the systems a migration touches (docs/definition.md "Targets"). Each entry is a
 * selector in the syntax of spec.selector, the word `fleet` (explicitly every series), or
 * `{selector, count}`. Engine-library signals say which target they read (`target:` in
 * presets/engines/*.yaml) and get its matchers injected into every selector that is not a
 * migration_* metric; signals written in the definition get them only when they say `target:`.
 */
import { FLEET, TARGET_NAMES, type Engine, type MigrationDefinition, type TargetDefinition, type TargetName } from '../definition/types';
import type { ResolvedTarget } from '../model/types';
import { parseSelector } from '../promql/matchers';

/** The selector text and count of a target entry as written. */
export function targetParts(t: TargetDefinition): { selector: string; count?: number } {
  return typeof t === 'string' ? { selector: t } : { selector: t.selector, ...(t.count !== undefined ? { count: t.count } : {}) };
}

export const isFleet = (selector: string): boolean => selector.trim() === FLEET;

/** spec.targets parsed; an invalid selector resolves to no matchers (the target-selector-valid rule reports it). */
export function resolveTargets(def: MigrationDefinition): Partial<Record<TargetName, ResolvedTarget>> {
  const out: Partial<Record<TargetName, ResolvedTarget>> = {};
  const spec = def.spec.targets ?? {};
  for (const name of TARGET_NAMES) {
    const t = spec[name];
    if (t === undefined || t === null) continue;
    const { selector, count } = targetParts(t);
    if (typeof selector !== 'string') continue;
    const fleet = isFleet(selector);
    const parsed = fleet ? { matchers: [] } : parseSelector(selector);
    out[name] = { fleet, matchers: parsed.problem ? [] : parsed.matchers, selector: fleet ? FLEET : selector, ...(count !== undefined ? { count } : {}) };
  }
  return out;
}

/** What `migobs init` writes into targets until the user fills them in (lint: target-placeholder). */
export const TARGET_PLACEHOLDER = 'CHANGE-ME';

/** What each target is, in words (for messages, init comments and docs). */
export const TARGET_MEANING: Record<TargetName, { what: string }> = {
  database: { what: "the primary database's exporter" },
  replicas: { what: "the replicas' exporters; `count`: how many replicas" },
  hosts: { what: "the database hosts' node_exporter" },
  app: { what: "the application's request metrics" },
};

/** A realistic selector for a target, with the engine exporter's default port. */
export function targetExample(target: TargetName, engine: Engine): string {
  const port = engine === 'mysql' ? 9104 : 9187;
  switch (target) {
    case 'database':
      return `instance="db1:${port}"`;
    case 'replicas':
      return `instance=~"db2:${port}|db3:${port}"`;
    case 'hosts':
      return 'instance=~"db[1-3]:9100"';
    case 'app':
      return 'job="orders-api"';
  }
}

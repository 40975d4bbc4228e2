/**
 * mimir flavour: the rule groups of each migration as a rule file of `mimirtool rules sync` /
 * `cortextool rules sync` (top-level `namespace` + `groups`), one ruler namespace per migration
 * (`migobs-<id>`, so `--namespaces-regex '^migobs-'` keeps a sync away from other namespaces), and
 * the routing fragment for the tenant's Alertmanager (merged into the tenant's config with
 * `migobs alertmanager --base`, then uploaded with `mimirtool alertmanager load`).
 */
import type { ResolvedMigration } from '../../model/types';
import { toYaml } from '../../render/serialize';
import type { OutputFile } from '../index';
import { FILES } from '../names';
import { sourceName } from '../source-name';
import type { Payload } from './payload';

export const DEFAULT_NAMESPACE_PREFIX = 'migobs-';

export const rulerNamespace = (model: ResolvedMigration): string => `${model.config.deploy?.mimir?.namespacePrefix ?? DEFAULT_NAMESPACE_PREFIX}${model.id}`;

export function buildMimirRules(p: Payload): unknown {
  return { namespace: rulerNamespace(p.model), groups: p.rules.groups };
}

export function mimirFiles(p: Payload): OutputFile[] {
  const source = sourceName(p.model);
  return [
    { path: FILES.mimirRules(p.model.id), content: toYaml(buildMimirRules(p), source) },
    { path: FILES.mimirAlertmanager(p.model.id), content: toYaml(p.fragment, source) },
  ];
}

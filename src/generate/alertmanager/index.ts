import type { ResolvedMigration } from '../../model/types';
import { toYaml } from '../../render/serialize';
import type { OutputFile } from '../index';
import { FILES } from '../names';
import { buildAlertmanagerFragment } from './fragment';
import { renderRouteCases } from './cases';
import { basename } from 'node:path';

export { buildAlertmanagerFragment, migrationMatcher, type AlertmanagerFragment, type AmRoute, type AmInhibitRule } from './fragment';
export { buildRouteCases, parseRouteCases, formatRouteCase, amtoolRouteArgs, type RouteCase } from './cases';

/**
 * alertmanager/<id>.yaml (a fragment: route subtree + inhibit rules, merged into a full config by
 * `migobs alertmanager --base`) and alertmanager/<id>.routes.txt (amtool routing cases).
 */
export function alertmanagerFiles(model: ResolvedMigration): OutputFile[] {
  const source = basename(model.sourceFile);
  return [
    { path: FILES.alertmanager(model.id), content: toYaml(buildAlertmanagerFragment(model), source) },
    { path: FILES.alertmanagerTest(model.id), content: renderRouteCases(model, source) },
  ];
}

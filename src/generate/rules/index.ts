/** prometheus/rules/<id>.yaml (recording rules and alerts), prometheus/tests/<id>.test.yaml (promtool unit tests) and docs/<id>/alerts.md. */
import type { ResolvedMigration } from '../../model/types';
import { toYaml } from '../../render/serialize';
import type { OutputFile } from '../index';
import { sourceName } from '../index';
import { FILES } from '../names';
import { buildAlertsDoc } from './alerts-doc';
import { rulesFor } from './rules';
import { buildRuleTests } from './tests';

export function rulesFiles(model: ResolvedMigration): OutputFile[] {
  const rules = rulesFor(model);
  const tests = buildRuleTests(model, rules);
  return [
    { path: FILES.rules(model.id), content: toYaml(rules, sourceName(model)) },
    { path: FILES.rulesTest(model.id), content: toYaml(tests.file, sourceName(model)) + tests.notes },
    { path: FILES.alertsDoc(model.id), content: buildAlertsDoc(model, rules) },
  ];
}

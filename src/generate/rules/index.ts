/** rules.yaml (recording rules and alerts), rules.test.yaml (promtool unit tests) and alerts.md. */
import type { ResolvedMigration } from '../../model/types';
import { toYaml } from '../../render/serialize';
import type { OutputFile } from '../index';
import { sourceName } from '../index';
import { FILES } from '../names';
import { buildAlertsDoc } from './alerts-doc';
import { buildRules } from './rules';
import { buildRuleTests } from './tests';

export function rulesFiles(model: ResolvedMigration): OutputFile[] {
  const rules = buildRules(model);
  const tests = buildRuleTests(model);
  return [
    { path: FILES.rules, content: toYaml(rules, sourceName(model)) },
    { path: FILES.rulesTest, content: toYaml(tests.file, sourceName(model)) + tests.notes },
    { path: FILES.alertsDoc, content: buildAlertsDoc(model, rules) },
  ];
}

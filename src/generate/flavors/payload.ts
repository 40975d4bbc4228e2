/**
 * The payload every deploy flavour packages: the rules, the dashboard and the routing fragment of
 * one migration, built by the same generators and serializers as the `files` flavour, so a
 * PrometheusRule, a ConfigMap or a Mimir rule file carries exactly the bytes of
 * prometheus/rules/<id>.yaml and grafana/dashboards/<id>.json.
 */
import type { ResolvedMigration } from '../../model/types';
import { toJson, toYaml } from '../../render/serialize';
import { buildAlertmanagerFragment, type AlertmanagerFragment } from '../alertmanager/fragment';
import { buildDashboard } from '../dashboard/grafana';
import { rulesFor, type RulesFile } from '../rules/rules';
import { sourceName } from '../source-name';

export interface Payload {
  model: ResolvedMigration;
  rules: RulesFile;
  /** The bytes of prometheus/rules/<id>.yaml. */
  rulesText: string;
  /** The bytes of grafana/dashboards/<id>.json. */
  dashboardText: string;
  fragment: AlertmanagerFragment;
}

export function buildPayload(model: ResolvedMigration): Payload {
  const rules = rulesFor(model);
  return {
    model,
    rules,
    rulesText: toYaml(rules, sourceName(model)),
    dashboardText: toJson(buildDashboard(model)),
    fragment: buildAlertmanagerFragment(model),
  };
}

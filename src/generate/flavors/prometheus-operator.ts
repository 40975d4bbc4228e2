/**
 * prometheus-operator flavour: per migration a `monitoring.coreos.com/v1` PrometheusRule holding
 * the same rule groups as prometheus/rules/<id>.yaml, and a `monitoring.coreos.com/v1alpha1`
 * AlertmanagerConfig with the same routes and inhibit rules as alertmanager/<id>.yaml.
 *
 * The operator adds a `namespace="<the AlertmanagerConfig's namespace>"` matcher to the
 * AlertmanagerConfig's top route and to both sides of its inhibit rules (its default
 * alertmanagerConfigMatcherStrategy OnNamespace). migobs alerts carry no `namespace` label (the
 * rules aggregate by migration_id), so see docs/deploy.md#the-namespace-matcher before applying it.
 */
import { parseAmMatchers } from '../../alertmanager/matchers';
import type { ResolvedMigration } from '../../model/types';
import { toYaml } from '../../render/serialize';
import { MANAGED_LABEL, type AmInhibitRule, type AmRoute } from '../alertmanager/fragment';
import type { OutputFile } from '../index';
import { FILES } from '../names';
import { sourceName } from '../source-name';
import { objectMeta, objectName } from './kubernetes';
import type { Payload } from './payload';
import { receiverNames } from './warnings';

export { receiverNames, undefinedReceivers } from './warnings';

export interface CrdMatcher {
  name: string;
  value: string;
  matchType: '=' | '!=' | '=~' | '!~';
}

interface CrdRoute {
  receiver?: string;
  matchers?: CrdMatcher[];
  groupBy?: string[];
  groupWait?: string;
  continue?: boolean;
  routes?: CrdRoute[];
}

/**
 * Alertmanager matcher text as the CRD's structured matchers. The ownership marker of the text
 * merge (`migobs_managed=~".*"`, which matches every alert) is left out: Kubernetes owns these
 * objects, and the marker would only add noise.
 */
export function crdMatchers(texts: string[]): CrdMatcher[] {
  return texts.flatMap((t) => {
    const parsed = parseAmMatchers(t);
    if (!parsed) throw new Error(`internal: cannot read the generated matcher ${t}`);
    return parsed.filter((m) => m.name !== MANAGED_LABEL).map((m) => ({ name: m.name, value: m.value, matchType: m.op }));
  });
}

function crdRoute(r: AmRoute): CrdRoute {
  return {
    ...(r.receiver !== undefined ? { receiver: r.receiver } : {}),
    ...(r.matchers ? { matchers: crdMatchers(r.matchers) } : {}),
    ...(r.group_by ? { groupBy: r.group_by } : {}),
    ...(r.group_wait ? { groupWait: r.group_wait } : {}),
    ...(r.continue !== undefined ? { continue: r.continue } : {}),
    ...(r.routes ? { routes: r.routes.map(crdRoute) } : {}),
  };
}

const crdInhibit = (i: AmInhibitRule): { sourceMatch: CrdMatcher[]; targetMatch: CrdMatcher[]; equal: string[] } => ({
  sourceMatch: crdMatchers(i.source_matchers),
  targetMatch: crdMatchers(i.target_matchers),
  equal: i.equal,
});

export function buildPrometheusRule(p: Payload): unknown {
  const op = p.model.config.deploy?.prometheusOperator ?? {};
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: objectMeta(p.model, objectName(p.model), op.ruleLabels),
    // The very groups of prometheus/rules/<id>.yaml: `yq .spec` of this file is that file's data.
    spec: p.rules,
  };
}

export function buildAlertmanagerConfig(p: Payload): unknown {
  const op = p.model.config.deploy?.prometheusOperator ?? {};
  const defined = op.receivers ?? {};
  return {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    metadata: objectMeta(p.model, objectName(p.model), op.alertmanagerConfigLabels),
    spec: {
      route: crdRoute(p.fragment.route),
      // A route can only name receivers of its own AlertmanagerConfig: each one the migration
      // routes to, with its integrations from deploy.prometheusOperator.receivers.
      receivers: receiverNames(p.model).map((name) => ({ name, ...defined[name] })),
      inhibitRules: p.fragment.inhibit_rules.map(crdInhibit),
    },
  };
}

export function prometheusOperatorFiles(p: Payload): OutputFile[] {
  const source = sourceName(p.model);
  return [
    { path: FILES.prometheusRule(p.model.id), content: toYaml(buildPrometheusRule(p), source) },
    { path: FILES.alertmanagerConfig(p.model.id), content: toYaml(buildAlertmanagerConfig(p), source) },
  ];
}

/**
 * configmap flavour: per migration a ConfigMap holding the dashboard for Grafana's dashboard
 * sidecar (kube-prometheus-stack, the Grafana Helm chart), selected by `grafana_dashboard: "1"`
 * unless deploy.configmap.dashboardLabels says otherwise; with deploy.configmap.rules also a
 * ConfigMap holding the rules file (for a Prometheus that mounts rule files from ConfigMaps).
 * The data values are the bytes of grafana/dashboards/<id>.json and prometheus/rules/<id>.yaml.
 */
import type { OutputFile } from '../index';
import { FILES } from '../names';
import { sourceName } from '../source-name';
import { toYaml } from '../../render/serialize';
import { objectMeta, objectName } from './kubernetes';
import type { Payload } from './payload';

/** The sidecar's default label (kube-prometheus-stack `grafana.sidecar.dashboards.label`/`labelValue`). */
export const DEFAULT_DASHBOARD_LABELS = { grafana_dashboard: '1' } as const;

/** Data keys are the file names the sidecar (or a volume mount) writes. */
export const dashboardDataKey = (id: string): string => `${id}.json`;
export const rulesDataKey = (id: string): string => `${id}.yaml`;

export function buildDashboardConfigMap(p: Payload): unknown {
  const c = p.model.config.deploy?.configmap ?? {};
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: objectMeta(p.model, objectName(p.model, 'dashboard'), c.dashboardLabels ?? DEFAULT_DASHBOARD_LABELS, c.dashboardAnnotations),
    data: { [dashboardDataKey(p.model.id)]: p.dashboardText },
  };
}

export function buildRulesConfigMap(p: Payload): unknown {
  const c = p.model.config.deploy?.configmap ?? {};
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: objectMeta(p.model, objectName(p.model, 'rules'), c.rulesLabels),
    data: { [rulesDataKey(p.model.id)]: p.rulesText },
  };
}

export function configmapFiles(p: Payload): OutputFile[] {
  const source = sourceName(p.model);
  const files = [{ path: FILES.dashboardConfigMap(p.model.id), content: toYaml(buildDashboardConfigMap(p), source) }];
  if (p.model.config.deploy?.configmap?.rules) files.push({ path: FILES.rulesConfigMap(p.model.id), content: toYaml(buildRulesConfigMap(p), source) });
  return files;
}

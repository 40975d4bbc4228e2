/**
 * grafana-operator flavour: per migration a `grafana.integreatly.org/v1beta1` GrafanaDashboard
 * whose spec.json is the text of grafana/dashboards/<id>.json, byte for byte.
 */
import type { OutputFile } from '../index';
import { FILES } from '../names';
import { sourceName } from '../source-name';
import { toYaml } from '../../render/serialize';
import { objectMeta, objectName } from './kubernetes';
import type { Payload } from './payload';

/** The label the grafana-operator's examples put on their Grafana instance. */
export const DEFAULT_INSTANCE_SELECTOR = { matchLabels: { dashboards: 'grafana' } } as const;

export function buildGrafanaDashboard(p: Payload): unknown {
  const go = p.model.config.deploy?.grafanaOperator ?? {};
  return {
    apiVersion: 'grafana.integreatly.org/v1beta1',
    kind: 'GrafanaDashboard',
    metadata: objectMeta(p.model, objectName(p.model)),
    spec: {
      instanceSelector: go.instanceSelector ?? DEFAULT_INSTANCE_SELECTOR,
      folder: go.folder ?? p.model.grafana.folder,
      json: p.dashboardText,
    },
  };
}

export function grafanaOperatorFiles(p: Payload): OutputFile[] {
  return [{ path: FILES.grafanaDashboard(p.model.id), content: toYaml(buildGrafanaDashboard(p), sourceName(p.model)) }];
}

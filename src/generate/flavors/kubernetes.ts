/** What every Kubernetes manifest of the deploy flavours shares: names, namespace and labels. */
import type { ResolvedMigration, StringMap } from '../../model/types';

/** Labels migobs puts on every manifest (Kubernetes' recommended labels), before the config's own. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'migobs' } as const;

/** Object name of a migration's manifest: `migobs-<id>[-suffix]` (a DNS subdomain: the id is [a-z0-9-]). */
export const objectName = (model: ResolvedMigration, suffix?: string): string => `migobs-${model.id}${suffix ? `-${suffix}` : ''}`;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels: StringMap;
  annotations?: StringMap;
}

/**
 * metadata of a manifest: the name, `deploy.namespace` when set (else kubectl's namespace), the
 * managed-by and instance labels, `deploy.labels`, then the flavour's own labels.
 */
export function objectMeta(model: ResolvedMigration, name: string, labels: StringMap = {}, annotations?: StringMap): ObjectMeta {
  const deploy = model.config.deploy ?? {};
  return {
    name,
    ...(deploy.namespace ? { namespace: deploy.namespace } : {}),
    labels: { ...MANAGED_BY, 'app.kubernetes.io/instance': model.id, ...deploy.labels, ...labels },
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
  };
}

/**
 * Validates Kubernetes manifests against their operator's CRD (test/fixtures/k8s-crds/): the
 * `openAPIV3Schema` of the version the manifest's apiVersion names, with ajv (`strict: false`,
 * Kubernetes' `x-kubernetes-*` extensions are ignored). Returns every problem as text; [] = valid.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { REPO } from './cli';

export const CRD_DIR = join(REPO, 'test', 'fixtures', 'k8s-crds');

const CRD_FILES: Record<string, string> = {
  'monitoring.coreos.com/PrometheusRule': 'prometheus-operator_prometheusrules.crd.yaml',
  'monitoring.coreos.com/AlertmanagerConfig': 'prometheus-operator_alertmanagerconfigs.crd.yaml',
  'grafana.integreatly.org/GrafanaDashboard': 'grafana-operator_grafanadashboards.crd.yaml',
};

/** Go's RE2 takes an inline `(?i)`; JavaScript does not: drop it and make the whole pattern case-insensitive. */
const regExp = Object.assign((pattern: string, flags?: string) => (pattern.includes('(?i)') ? new RegExp(pattern.replace(/\(\?i\)/g, ''), `${flags ?? ''}i`) : new RegExp(pattern, flags)), { code: 'RegExp' });

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp } as never });
const cache = new Map<string, ValidateFunction>();

interface Crd {
  spec: { group: string; names: { kind: string }; versions: Array<{ name: string; served: boolean; schema: { openAPIV3Schema: object } }> };
}

export function crdValidator(apiVersion: string, kind: string): ValidateFunction {
  const key = `${apiVersion}/${kind}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const [group, version] = apiVersion.split('/');
  const file = CRD_FILES[`${group}/${kind}`];
  if (!file) throw new Error(`no CRD vendored for ${key}`);
  const crd = parse(readFileSync(join(CRD_DIR, file), 'utf8'), { maxAliasCount: -1 }) as Crd;
  const v = crd.spec.versions.find((x) => x.name === version && x.served);
  if (!v || crd.spec.names.kind !== kind || crd.spec.group !== group) throw new Error(`${file} does not serve ${key}`);
  const validate = ajv.compile(v.schema.openAPIV3Schema);
  cache.set(key, validate);
  return validate;
}

/** Problems of one manifest against its CRD (apiVersion and kind pick the schema). */
export function validateManifest(doc: { apiVersion: string; kind: string }): string[] {
  const validate = crdValidator(doc.apiVersion, doc.kind);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * What the API server checks on every object's metadata (apimachinery's ValidateObjectMeta, the
 * parts a generator can get wrong): name a DNS subdomain of at most 253, labels valid.
 */
export function metadataProblems(meta: { name?: string; namespace?: string; labels?: Record<string, string> }): string[] {
  const out: string[] = [];
  if (!meta.name || meta.name.length > 253 || !DNS_SUBDOMAIN.test(meta.name)) out.push(`metadata.name ${JSON.stringify(meta.name)} is not a DNS subdomain`);
  if (meta.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(meta.namespace)) out.push(`metadata.namespace ${meta.namespace}`);
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    const name = k.includes('/') ? k.slice(k.lastIndexOf('/') + 1) : k;
    if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(name)) out.push(`label key ${k}`);
    if (typeof v !== 'string' || !/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/.test(v)) out.push(`label ${k}: value ${JSON.stringify(v)}`);
  }
  return out;
}

/**
 * A core/v1 ConfigMap as the API server takes it (no CRD: the fields of core/v1 ConfigMap that
 * matter here): data keys of [-._a-zA-Z0-9]+, string values, and at most 1 MiB in all.
 */
export function configMapProblems(doc: { apiVersion?: string; kind?: string; metadata?: object; data?: Record<string, unknown> }): string[] {
  const out: string[] = [];
  if (doc.apiVersion !== 'v1' || doc.kind !== 'ConfigMap') out.push('not a v1 ConfigMap');
  out.push(...metadataProblems((doc.metadata ?? {}) as { name?: string }));
  let size = 0;
  for (const [k, v] of Object.entries(doc.data ?? {})) {
    if (!/^[-._a-zA-Z0-9]+$/.test(k) || k.length > 253) out.push(`data key ${k}`);
    if (typeof v !== 'string') out.push(`data.${k} is not a string`);
    else size += Buffer.byteLength(v) + k.length;
  }
  if (size > 1024 * 1024) out.push(`data is ${size} bytes, over the 1 MiB ConfigMap limit`);
  return out;
}

/**
 * The `deploy:` and `headers:` blocks of migobs.config.yaml: settings of the deploy flavours
 * (docs/deploy.md) and extra HTTP headers for the Prometheus API (docs/gate.md#headers). Every
 * problem is reported at its key or value, like the rest of the config.
 */
import type { DeployConfig, StringMap } from '../model/types';
import { didYouMean } from '../util/suggest';

export type Report = (path: (string | number)[], message: string, part?: 'key' | 'value', hint?: string) => void;

/** The flavour names `generate --flavor` takes (docs/deploy.md). */
export const FLAVOR_NAMES = ['files', 'prometheus-operator', 'grafana-operator', 'configmap', 'mimir', 'grafana-alerting'] as const;
export type FlavorName = (typeof FLAVOR_NAMES)[number];

/** The flavours `generate` writes without `--flavor`: the config's deploy.flavors, else `files`. */
export function configuredFlavors(config: { deploy?: DeployConfig }): FlavorName[] {
  return (config.deploy?.flavors as FlavorName[] | undefined) ?? ['files'];
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Why `key` is not a Kubernetes label (or annotation) key, or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `\`${key}\`: the prefix before / must be a DNS subdomain (lower-case letters, digits, - and .)`;
  if (!LABEL_NAME.test(name)) return `\`${key}\`: a Kubernetes label name is 1-63 letters, digits, -, _ or ., starting and ending with a letter or digit`;
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  return LABEL_VALUE.test(value) ? undefined : `\`${value}\` is not a Kubernetes label value (at most 63 letters, digits, -, _ or ., starting and ending with a letter or digit; quote numbers: "1")`;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function stringMap(value: unknown, path: (string | number)[], at: Report, kind: 'label' | 'annotation'): StringMap | undefined {
  if (!isMap(value)) {
    at(path, `\`${path.join('.')}\` must be a mapping of ${kind} names to strings`);
    return undefined;
  }
  const out: StringMap = {};
  for (const [k, v] of Object.entries(value)) {
    const keyProblem = labelKeyProblem(k);
    if (keyProblem) at([...path, k], keyProblem, 'key');
    else if (typeof v !== 'string') at([...path, k], `\`${path.join('.')}.${k}\` must be a string (quote it: "${String(v)}")`);
    else if (kind === 'label' && labelValueProblem(v)) at([...path, k], labelValueProblem(v)!);
    else out[k] = v;
  }
  return out;
}

function known(value: Record<string, unknown>, path: (string | number)[], keys: readonly string[], at: Report): void {
  for (const k of Object.keys(value)) if (!keys.includes(k)) at([...path, k], `unknown key \`${k}\` in ${path.join('.')}${didYouMean(k, keys)}`, 'key');
}

function nonEmptyString(value: unknown, path: (string | number)[], at: Report): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value;
  at(path, `\`${path.join('.')}\` must be a non-empty string`);
  return undefined;
}

function section(value: unknown, path: string[], at: Report): Record<string, unknown> | undefined {
  if (isMap(value)) return value;
  at(path, `\`${path.join('.')}\` must be a mapping`);
  return undefined;
}

const DEPLOY_KEYS = ['flavors', 'namespace', 'labels', 'prometheusOperator', 'grafanaOperator', 'configmap', 'mimir', 'grafanaAlerting'] as const;

export function parseDeploy(value: unknown, at: Report): DeployConfig {
  const out: DeployConfig = {};
  const d = section(value, ['deploy'], at);
  if (!d) return out;
  known(d, ['deploy'], DEPLOY_KEYS, at);
  if (d.flavors !== undefined) {
    if (!Array.isArray(d.flavors) || d.flavors.length === 0) at(['deploy', 'flavors'], '`deploy.flavors` must be a list of flavour names', 'value', `flavours: ${FLAVOR_NAMES.join(', ')}`);
    else {
      const flavors: string[] = [];
      d.flavors.forEach((f, i) => {
        if (typeof f !== 'string' || !(FLAVOR_NAMES as readonly string[]).includes(f)) at(['deploy', 'flavors', i], `unknown flavour \`${String(f)}\`${didYouMean(String(f), FLAVOR_NAMES)}`, 'value', `flavours: ${FLAVOR_NAMES.join(', ')}`);
        else flavors.push(f);
      });
      out.flavors = flavors;
    }
  }
  if (d.namespace !== undefined) {
    if (typeof d.namespace !== 'string' || !DNS_LABEL.test(d.namespace)) at(['deploy', 'namespace'], '`deploy.namespace` must be a Kubernetes namespace name (lower-case letters, digits and -, at most 63)');
    else out.namespace = d.namespace;
  }
  if (d.labels !== undefined) out.labels = stringMap(d.labels, ['deploy', 'labels'], at, 'label');

  if (d.prometheusOperator !== undefined) {
    const p = section(d.prometheusOperator, ['deploy', 'prometheusOperator'], at);
    if (p) {
      const base = ['deploy', 'prometheusOperator'];
      known(p, base, ['ruleLabels', 'alertmanagerConfigLabels', 'receivers'], at);
      out.prometheusOperator = {};
      if (p.ruleLabels !== undefined) out.prometheusOperator.ruleLabels = stringMap(p.ruleLabels, [...base, 'ruleLabels'], at, 'label');
      if (p.alertmanagerConfigLabels !== undefined) out.prometheusOperator.alertmanagerConfigLabels = stringMap(p.alertmanagerConfigLabels, [...base, 'alertmanagerConfigLabels'], at, 'label');
      if (p.receivers !== undefined) {
        const r = section(p.receivers, [...base, 'receivers'], at);
        if (r) {
          const receivers: Record<string, Record<string, unknown>> = {};
          for (const [name, spec] of Object.entries(r)) {
            if (!isMap(spec)) at([...base, 'receivers', name], `receiver \`${name}\` must be a mapping of AlertmanagerConfig receiver fields (e.g. slackConfigs: [...])`);
            else if ('name' in spec) at([...base, 'receivers', name, 'name'], 'leave out `name`: the key above is the receiver name', 'key');
            else receivers[name] = spec;
          }
          out.prometheusOperator.receivers = receivers;
        }
      }
    }
  }
  if (d.grafanaOperator !== undefined) {
    const g = section(d.grafanaOperator, ['deploy', 'grafanaOperator'], at);
    if (g) {
      known(g, ['deploy', 'grafanaOperator'], ['instanceSelector', 'folder'], at);
      out.grafanaOperator = {};
      if (g.instanceSelector !== undefined) {
        const s = section(g.instanceSelector, ['deploy', 'grafanaOperator', 'instanceSelector'], at);
        if (s) {
          known(s, ['deploy', 'grafanaOperator', 'instanceSelector'], ['matchLabels', 'matchExpressions'], at);
          if (s.matchLabels !== undefined) stringMap(s.matchLabels, ['deploy', 'grafanaOperator', 'instanceSelector', 'matchLabels'], at, 'label');
          out.grafanaOperator.instanceSelector = s;
        }
      }
      if (g.folder !== undefined) out.grafanaOperator.folder = nonEmptyString(g.folder, ['deploy', 'grafanaOperator', 'folder'], at);
    }
  }
  if (d.configmap !== undefined) {
    const c = section(d.configmap, ['deploy', 'configmap'], at);
    if (c) {
      const base = ['deploy', 'configmap'];
      known(c, base, ['dashboardLabels', 'dashboardAnnotations', 'rules', 'rulesLabels'], at);
      out.configmap = {};
      if (c.dashboardLabels !== undefined) out.configmap.dashboardLabels = stringMap(c.dashboardLabels, [...base, 'dashboardLabels'], at, 'label');
      if (c.dashboardAnnotations !== undefined) out.configmap.dashboardAnnotations = stringMap(c.dashboardAnnotations, [...base, 'dashboardAnnotations'], at, 'annotation');
      if (c.rulesLabels !== undefined) out.configmap.rulesLabels = stringMap(c.rulesLabels, [...base, 'rulesLabels'], at, 'label');
      if (c.rules !== undefined) {
        if (typeof c.rules !== 'boolean') at([...base, 'rules'], '`deploy.configmap.rules` must be true or false');
        else out.configmap.rules = c.rules;
      }
    }
  }
  if (d.mimir !== undefined) {
    const m = section(d.mimir, ['deploy', 'mimir'], at);
    if (m) {
      known(m, ['deploy', 'mimir'], ['namespacePrefix'], at);
      out.mimir = {};
      if (m.namespacePrefix !== undefined) {
        if (typeof m.namespacePrefix !== 'string' || !/^[A-Za-z0-9_.-]*$/.test(m.namespacePrefix)) at(['deploy', 'mimir', 'namespacePrefix'], '`deploy.mimir.namespacePrefix` must be letters, digits, -, _ or . (it starts each ruler namespace name)');
        else out.mimir.namespacePrefix = m.namespacePrefix;
      }
    }
  }
  if (d.grafanaAlerting !== undefined) {
    const g = section(d.grafanaAlerting, ['deploy', 'grafanaAlerting'], at);
    if (g) {
      known(g, ['deploy', 'grafanaAlerting'], ['folder', 'orgId'], at);
      out.grafanaAlerting = {};
      if (g.folder !== undefined) out.grafanaAlerting.folder = nonEmptyString(g.folder, ['deploy', 'grafanaAlerting', 'folder'], at);
      if (g.orgId !== undefined) {
        if (typeof g.orgId !== 'number' || !Number.isInteger(g.orgId) || g.orgId < 1) at(['deploy', 'grafanaAlerting', 'orgId'], '`deploy.grafanaAlerting.orgId` must be a whole number, 1 or more');
        else out.grafanaAlerting.orgId = g.orgId;
      }
    }
  }
  return out;
}

// Headers -----------------------------------------------------------------------------------

/** RFC 9110 token: what an HTTP field name may be. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by the HTTP client itself; a second copy would make the request ambiguous. */
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'accept']);

/**
 * Why `name: value` cannot be sent as an extra header, or undefined. The value itself is never
 * part of the message (it may be a credential).
 */
export function headerProblem(name: string, value: string): string | undefined {
  if (!TOKEN.test(name)) return `header name \`${name}\` is not an HTTP field name (letters, digits and !#$%&'*+.^_\`|~-)`;
  if (RESERVED.has(name.toLowerCase())) return `header \`${name}\` is set by migobs itself and cannot be given`;
  // Horizontal tab and visible characters only: a CR/LF would smuggle a second header.
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if ((cp < 0x20 && cp !== 0x09) || cp === 0x7f) return `the value of header \`${name}\` contains a control character (a line break from a file?); values are not shown`;
  }
  return undefined;
}

/** `Name: value` (from `--header` or MIGOBS_PROMETHEUS_HEADERS) as a pair, or a problem that does not show the value. */
export function parseHeaderArg(text: string, origin: string): { name: string; value: string } | { problem: string } {
  const colon = text.indexOf(':');
  if (colon <= 0) return { problem: `${origin}: write a header as 'Name: value' (e.g. 'X-Scope-OrgID: team-a')` };
  const name = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).trim();
  const problem = headerProblem(name, value);
  return problem ? { problem: `${origin}: ${problem}` } : { name, value };
}

export function parseHeaders(value: unknown, at: Report): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isMap(value)) {
    at(['headers'], '`headers` must be a mapping of header names to values, e.g. X-Scope-OrgID: team-a');
    return out;
  }
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') at(['headers', name], `header \`${name}\` must be a string value (quote it)`);
    else if (headerProblem(name, v)) at(['headers', name], headerProblem(name, v)!, TOKEN.test(name) && !RESERVED.has(name.toLowerCase()) ? 'value' : 'key');
    else out[name] = v;
  }
  return out;
}

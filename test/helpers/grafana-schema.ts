/**
 * Validates a dashboard JSON against Grafana's published JSON schemas (copied from
 * grafana/grafana-foundation-sdk into test/fixtures/grafana-schemas/, see its README): the dashboard
 * model, each panel kind's Options and custom FieldConfig, and each Prometheus target.
 * Returns every problem as text; an empty list means valid.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';

const repoRoot = join(__dirname, '..', '..');
export const GRAFANA_SCHEMAS_DIR = join(repoRoot, 'test', 'fixtures', 'grafana-schemas');

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction | undefined>();

/** All schema files, each registered under its file name (they have no $id of their own). */
function schemas(): Ajv {
  if (ajv) return ajv;
  const files = readdirSync(GRAFANA_SCHEMAS_DIR).filter((f) => f.endsWith('.jsonschema.json'));
  if (!files.includes('dashboard.jsonschema.json')) throw new Error(`Grafana schemas not found in ${GRAFANA_SCHEMAS_DIR}`);
  // validateFormats off: the dashboard schema uses `date-time`, which plain ajv does not ship.
  // validateSchema off: the published common schema repeats an enum item (ScaleDirection), which
  // the draft-07 meta-schema rejects although it changes nothing about what validates.
  ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
  for (const file of files) {
    const schema = JSON.parse(readFileSync(join(GRAFANA_SCHEMAS_DIR, file), 'utf8')) as Record<string, unknown>;
    ajv.addSchema({ ...schema, $id: file });
  }
  return ajv;
}

/** The validator of `<file>#/definitions/<name>`, or undefined when that file or definition does not exist. */
function definition(file: string, name: string): ValidateFunction | undefined {
  const key = `${file}#/definitions/${name}`;
  if (!compiled.has(key)) {
    const a = schemas();
    const root = a.getSchema(file)?.schema as { definitions?: Record<string, unknown> } | undefined;
    compiled.set(key, root?.definitions?.[name] ? a.getSchema(key) : undefined);
  }
  return compiled.get(key);
}

function errorsOf(where: string, validate: ValidateFunction, data: unknown): string[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${where}${e.instancePath}: ${e.message ?? 'invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
}

/** Panel `type` -> schema file: `state-timeline` is `statetimeline.jsonschema.json`. */
const schemaFileOf = (panelType: string): string => `${panelType.replace(/-/g, '')}.jsonschema.json`;

type Json = Record<string, unknown>;

function panelProblems(panel: Json, where: string): string[] {
  const problems: string[] = [];
  const type = String(panel.type);
  const file = schemaFileOf(type);
  const options = definition(file, 'Options');
  if (!options) return [`${where}: no schema for panel type "${type}"`];
  problems.push(...errorsOf(`${where}.options`, options, panel.options ?? {}));
  const custom = (panel.fieldConfig as { defaults?: { custom?: unknown } } | undefined)?.defaults?.custom;
  const fieldConfig = definition(file, 'FieldConfig');
  if (fieldConfig) problems.push(...errorsOf(`${where}.fieldConfig.defaults.custom`, fieldConfig, custom ?? {}));
  else if (custom !== undefined && Object.keys(custom as object).length > 0) {
    problems.push(`${where}.fieldConfig.defaults.custom: panel type "${type}" has no custom field config`);
  }
  const dataquery = schemas().getSchema('prometheus.jsonschema.json')!;
  ((panel.targets as unknown[] | undefined) ?? []).forEach((t, i) => problems.push(...errorsOf(`${where}.targets[${i}]`, dataquery, t)));
  return problems;
}

/** Every problem of a dashboard (parsed JSON), or [] when it is valid. */
export function validateDashboard(json: unknown): string[] {
  const problems = errorsOf('dashboard', definition('dashboard.jsonschema.json', 'Dashboard')!, json);
  const panels = ((json as Json | null)?.panels as Json[] | undefined) ?? [];
  panels.forEach((p, i) => {
    const where = `panels[${i}] (${String(p.title ?? p.type)})`;
    if (p.type === 'row') {
      ((p.panels as Json[] | undefined) ?? []).forEach((c, j) => problems.push(...panelProblems(c, `${where}.panels[${j}]`)));
    } else {
      problems.push(...panelProblems(p, where));
    }
  });
  return problems;
}

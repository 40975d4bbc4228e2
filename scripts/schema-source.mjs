// The definition JSON Schema, written as a JS object so it can carry comments.
// `npm run build` writes it to schema/migration.schema.json and compiles it to a standalone validator.
const duration = {
  type: 'string',
  pattern: '^(?:[0-9]+y)?(?:[0-9]+w)?(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?(?:[0-9]+ms)?$',
  minLength: 2,
  maxLength: 32,
  description: 'A Prometheus duration such as 30s, 2m or 1h30m.',
};
const id = {
  type: 'string',
  pattern: '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$',
  description: 'Lower-case letters, digits and dashes, at most 40 characters, starting and ending with a letter or digit.',
};
// RFC 3339 date-time with an explicit offset (Z or +hh:mm); the calendar is checked by the
// schedule-valid rule. No local times: a schedule must mean the same instant everywhere.
const timestamp = {
  type: 'string',
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.][0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$',
  maxLength: 40,
};
const text = (max, description) => ({ type: 'string', minLength: 1, maxLength: max, description });
const threshold = (description) => ({ type: 'number', description });
const stringList = (description) => ({ type: 'array', maxItems: 100, items: text(2000), description });
const targetName = (description) => ({ enum: ['database', 'replicas', 'hosts', 'app'], description });
// A target: a selector string, the word `fleet`, or {selector, count}. One union type (not anyOf)
// so a wrong value gets one plain message instead of one per branch.
const target = (what) => ({
  type: ['string', 'object'],
  minLength: 1,
  maxLength: 1000,
  additionalProperties: false,
  required: ['selector'],
  properties: {
    selector: { type: 'string', minLength: 1, maxLength: 1000, description: `Label matchers selecting ${what}, or \`fleet\` for every series Prometheus has.` },
    count: { type: 'integer', minimum: 1, maximum: 1000, description: 'How many series a signal with one series per member of this target must see: with fewer or more, its gate is unknown.' },
  },
  description: `${what[0].toUpperCase()}${what.slice(1)}: label matchers in the syntax of spec.selector (e.g. instance="db1:9187"), the word \`fleet\` (read every series, explicitly unscoped), or {selector, count}.`,
});

export const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://migobs.dev/schema/migobs-v1.json',
  title: 'migobs migration definition',
  description: 'One risky production data migration: what to watch, and when to proceed, pause or roll back.',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'migobs/v1', description: 'Always migobs/v1.' },
    kind: { const: 'Migration', description: 'Always Migration.' },
    metadata: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'title', 'owner'],
      properties: {
        id: { ...id, description: 'Migration id: the migration_id label value, the dashboard uid and the name of its output files. ' + id.description },
        title: text(200, 'Human title, shown on the dashboard and in alerts.'),
        owner: text(100, 'Owning team or person.'),
        description: text(5000, 'What the migration does and why.'),
        links: {
          type: 'array',
          maxItems: 50,
          description: 'Design docs, tickets, PRs. Shown in the runbook and on the dashboard.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['title', 'url'],
            properties: {
              title: text(200, 'Link text.'),
              url: { type: 'string', maxLength: 2000, pattern: '^https?://[^\\s<>"]+$', description: 'An http(s) URL.' },
            },
          },
        },
      },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'engine'],
      properties: {
        type: {
          enum: ['schema-only', 'backfill', 'online-rewrite', 'cutover', 'dual-write', 'reindex'],
          description: 'The preset that supplies default phases, signals and gates.',
        },
        engine: { enum: ['postgres', 'mysql', 'generic'], description: 'The engine signal library (exporter metric names).' },
        blastRadius: {
          type: 'object',
          additionalProperties: false,
          description: 'What breaks if this goes wrong, and how hard it is to undo.',
          properties: {
            tables: { type: 'array', maxItems: 200, items: text(200), description: 'Tables the migration writes.' },
            writePath: { type: 'boolean', description: 'Whether production writes go through the changed objects.' },
            rollback: {
              enum: ['trivial', 'easy', 'hard', 'irreversible'],
              description: 'How hard a rollback is. irreversible needs forwardFix.',
            },
            forwardFix: text(5000, 'The plan when rollback is impossible: how to fix forward.'),
          },
        },
        expectedDuration: { ...duration, description: 'Planned run time; the ETA alert fires when the ETA goes beyond it.' },
        scrapeInterval: { ...duration, description: 'Prometheus scrape interval of the migration metrics (default 30s). Lint checks for >= 2x and rate windows >= 4x it.' },
        stalledAfter: { ...duration, description: 'No progress for this long while running and not throttled fires the stalled alert (default from the preset).' },
        schedule: {
          type: 'object',
          additionalProperties: false,
          description: 'When the migration may run. Outside [notBefore, notAfter) no migobs alert fires and `migobs gate` answers unknown.',
          properties: {
            notBefore: { ...timestamp, description: 'RFC 3339 time with offset, e.g. 2027-01-12T21:00:00+01:00: no alert before it.' },
            notAfter: { ...timestamp, description: 'RFC 3339 time with offset: no alert from this instant on.' },
          },
        },
        selector: {
          type: 'string',
          maxLength: 1000,
          description: 'Extra label matchers for the migration_* metrics, e.g. job="orders-backfill". migration_id="<id>" is always added.',
        },
        runner: {
          type: 'object',
          additionalProperties: false,
          required: ['kind'],
          description: 'What runs the migration and publishes its progress (docs/integrations.md). Default: the migobs emitter (or a hook) exports the metric contract.',
          properties: {
            kind: { enum: ['emitter', 'gitlab-bbm'], description: 'emitter: the migobs metric contract is exported directly. gitlab-bbm: GitLab batched background migrations; recording rules map its batched_migration_* metrics onto the contract.' },
            migrationIdentifier: text(500, 'gitlab-bbm: the migration_identifier label of GitLab\'s metrics, "JobClassName/table.column".'),
            phase: { ...id, description: 'gitlab-bbm: the phase while GitLab migrates (default full).' },
            donePhase: { ...id, description: 'gitlab-bbm: the phase once every tuple is migrated (default: the phase after `phase`).' },
          },
        },
        targets: {
          type: 'object',
          additionalProperties: false,
          description: 'The systems this migration touches. Every engine-library signal reads one of them and gets its matchers injected; a gate that reads an unset target is refused.',
          properties: {
            database: target("the primary database's exporter (postgres_exporter, mysqld_exporter)"),
            replicas: target("the replicas' exporters (and, as count, how many replicas there are)"),
            hosts: target('the database hosts\' node_exporter'),
            app: target("the application's request metrics (http_requests_total, http_request_duration_seconds)"),
          },
        },
        phases: {
          type: 'array',
          maxItems: 50,
          description: 'Phase overrides, merged with the preset phases by id; new ids are appended.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id'],
            properties: {
              id,
              title: text(200, 'Phase title.'),
              description: text(5000, 'What happens in this phase.'),
              entry: stringList('Entry criteria: what must be true before the phase starts.'),
              proceed: stringList('Proceed (exit) criteria: what must be true to move on.'),
              enabled: { type: 'boolean', description: 'false removes a preset phase.' },
            },
          },
        },
        signals: {
          type: 'object',
          maxProperties: 200,
          description: 'Named PromQL signals, added to or overriding the preset and engine library by name.',
          propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$' },
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['expr'],
            properties: {
              expr: { type: 'string', minLength: 1, maxLength: 10000, description: 'PromQL returning an instant vector.' },
              unit: { type: 'string', maxLength: 40, description: 'Unit: s, ms, bytes, ratio, percent, rows, ops/s, short, ...' },
              title: text(200, 'Panel title.'),
              description: text(5000, 'How to read the signal.'),
              target: targetName('Inject the matchers of this spec.targets entry into every selector of the expression (except migration_* metrics). Your own signals are not scoped unless you say so.'),
              seriesPer: targetName('The expression has one series per member of this target (e.g. one per replica): with the target\'s count N, the gate is unknown unless exactly N series are present.'),
            },
          },
        },
        gates: {
          type: 'array',
          maxItems: 2000,
          description: 'Gates merged with the preset gates by id.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id'],
            properties: {
              id,
              title: text(200, 'Gate title.'),
              signal: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$', description: 'The signal this gate compares.' },
              direction: { enum: ['above', 'below'], description: 'above (default): bad when the value rises past the thresholds; below: bad when it falls under them.' },
              pause: threshold('Pause/throttle when the signal is past this value (strictly greater for above, strictly less for below).'),
              rollback: threshold('Roll back when the signal is past this value.'),
              for: { ...duration, description: 'How long the pause condition must hold before the alert fires (also the rollback default).' },
              rollbackFor: { ...duration, description: 'How long the rollback condition must hold (default: for).' },
              phases: { type: 'array', maxItems: 50, items: id, description: 'Phases the gate applies in (default: the preset gate phases, or all phases).' },
              remediation: text(5000, 'What to do when the gate pauses.'),
              enabled: { type: 'boolean', description: 'false disables a preset gate.' },
            },
          },
        },
        routing: {
          type: 'object',
          additionalProperties: false,
          description: 'Alertmanager receivers.',
          properties: {
            page: text(200, 'Receiver for rollback (critical) alerts.'),
            notify: text(200, 'Receiver for pause (warning) alerts.'),
          },
        },
        grafana: {
          type: 'object',
          additionalProperties: false,
          properties: {
            datasourceUid: text(200, 'Default Prometheus datasource uid.'),
            folder: text(200, 'Grafana folder for the dashboard.'),
          },
        },
        verification: stringList('Verification steps, added to the preset steps.'),
        rollbackPlan: text(10000, 'Rollback procedure; replaces the preset skeleton.'),
        decisionOwner: text(200, 'Who decides on proceed/rollback (default: the owner).'),
      },
    },
  },
};

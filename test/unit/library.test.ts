/** The typed library: build a definition in code, validate it, generate outputs as data. */
import { describe, expect, it } from 'vitest';
import { checkDefinition, GateBuilder, generateAll, MigrationBuilder } from '../../src/index';

describe('library', () => {
  const def = new MigrationBuilder('orders-region-backfill')
    .title('Backfill orders.region from customers')
    .owner('team-orders')
    .link('Design doc', 'https://wiki.example.com/orders/region-backfill')
    .type('backfill')
    .engine('postgres')
    .blastRadius({ tables: ['orders'], writePath: true, rollback: 'easy' })
    .expectedDuration('6h')
    .selector('job="orders-backfill"')
    .target('database', 'instance="db1:9187"')
    .target('hosts', { selector: 'instance="db1:9100"', count: 1 })
    .target('app', 'job="orders-api"')
    .signal('replicationLag', { expr: 'max(pg_replication_lag{instance="db1:9187"})', unit: 's' })
    .gate(new GateBuilder('replication-lag').signal('replicationLag').pause(10).rollback(60).for('2m').phases('canary', 'ramp', 'full').remediation('Halve --batch-size.'))
    .routing({ page: 'pagerduty-orders', notify: 'slack-orders' })
    .build();

  it('a built definition validates and resolves', () => {
    const r = checkDefinition(def);
    expect(r.diagnostics).toEqual([]);
    expect(r.migrations[0]!.model.gates.find((g) => g.id === 'replication-lag')).toMatchObject({ pause: 10, rollback: 60 });
    expect(r.migrations[0]!.model.signals.diskFreeRatio).toMatchObject({ target: 'hosts', expectedSeries: 1 });
  });

  it('a schedule set in code resolves to unix seconds; an empty window is a located problem', () => {
    const scheduled = new MigrationBuilder('x').owner('me').type('backfill').engine('postgres').target('database', 'instance="db1:9187"').target('hosts', 'instance="db1:9100"').target('app', 'job="orders-api"').schedule({ notBefore: '2027-01-12T21:00:00+01:00', notAfter: '2027-01-13T05:00:00+01:00' }).build();
    expect(checkDefinition(scheduled).migrations[0]!.model.schedule).toEqual({
      notBefore: { text: '2027-01-12T21:00:00+01:00', seconds: 1799784000 },
      notAfter: { text: '2027-01-13T05:00:00+01:00', seconds: 1799812800 },
    });
    const empty = new MigrationBuilder('x').owner('me').type('backfill').engine('postgres').target('database', 'instance="db1:9187"').target('hosts', 'instance="db1:9100"').target('app', 'job="orders-api"').schedule({ notBefore: '2027-01-13T05:00:00+01:00', notAfter: '2027-01-12T21:00:00+01:00' }).build();
    expect(checkDefinition(empty).diagnostics.map((d) => d.check)).toEqual(['schedule-valid']);
  });

  it('an invalid built definition reports located problems', () => {
    const bad = new MigrationBuilder('x').owner('me').type('backfill').engine('postgres').gate(new GateBuilder('replication-lag').pause(60).rollback(10)).build();
    const r = checkDefinition(bad);
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => d.check)).toContain('threshold-order');
  });

  it('builders return copies (mutating the result does not change the builder)', () => {
    const b = new MigrationBuilder('x').owner('me');
    const a = b.build();
    a.metadata.owner = 'changed';
    expect(b.build().metadata.owner).toBe('me');
  });

  it('generates every output file as data, without touching the disk', () => {
    const model = checkDefinition(def).migrations[0]!.model;
    const paths = generateAll([model]).map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['grafana/dashboards/orders-region-backfill.json', 'prometheus/rules/orders-region-backfill.yaml', 'docs/orders-region-backfill/runbook.md', 'grafana/provisioning/dashboards/migobs.yaml']));
  });
});

import { describe, expect, it } from 'vitest';
import { signalTargetSet } from '../../../src/validate/rules/signal-target-set';
import { located, problems } from '../../helpers/definitions';

describe(signalTargetSet.name, () => {
  it('the README example (database, hosts and app set) passes', () => {
    expect(problems(() => {})).toEqual([]);
  });

  it('a preset gate whose library signal reads an unset target: one error per target at spec.type, naming the gates and what to set', () => {
    const p = located((d) => delete d.spec.targets!.database);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ check: 'signal-target-set', text: 'backfill' });
    expect(p[0]!.message).toBe(
      "the backfill preset's gates `active-sessions`, `dead-tuples` read spec.targets.database (the primary database's exporter), which is not set: unscoped, it reads every system Prometheus scrapes, so another system could pause or roll back this migration",
    );
  });

  it('the hint shows the fix: a selector with the engine exporter port, or fleet', () => {
    const r = problems((d) => {
      d.spec.engine = 'mysql';
      d.spec.targets = { hosts: 'instance="db1:9100"', app: 'job="orders-api"' };
    });
    expect(r.map((x) => x.message)).toEqual([expect.stringContaining("the backfill preset's gates `active-sessions`, `history-list-length` read spec.targets.database")]);
  });

  it('a gate listed in the definition is reported at its own line', () => {
    const p = located((d) => {
      delete d.spec.targets!.hosts;
      d.spec.gates!.push({ id: 'disk-free', pause: 0.2 });
    });
    expect(p.map((x) => [x.check, x.text])).toEqual([['signal-target-set', 'disk-free']]);
    expect(p[0]!.message).toContain('gate `disk-free` (library signal `diskFreeRatio`) reads spec.targets.hosts (the database hosts\' node_exporter), which is not set');
  });

  it('a new gate on a library signal is reported at its `signal:` line', () => {
    const p = located((d) => {
      d.spec.targets = { database: 'instance="db1:9187"', app: 'job="orders-api"', hosts: 'instance="db1:9100"' };
      d.spec.gates!.push({ id: 'cpu-hot', signal: 'cpuUtilization', pause: 0.8, rollback: 0.95, for: '5m' });
      delete d.spec.targets.hosts;
      d.spec.gates!.push({ id: 'disk-free', enabled: false });
    });
    expect(p.map((x) => [x.check, x.text])).toEqual([['signal-target-set', 'cpuUtilization']]);
  });

  it('`fleet` is an explicit choice: accepted', () => {
    expect(problems((d) => (d.spec.targets = { database: 'fleet', hosts: 'fleet', app: { selector: 'fleet' } }))).toEqual([]);
  });

  it('disabled gates and gates on your own signals need no target', () => {
    expect(
      problems((d) => {
        delete d.spec.targets;
        d.spec.gates!.push({ id: 'dead-tuples', enabled: false }, { id: 'disk-free', enabled: false }, { id: 'app-error-ratio', enabled: false });
        d.spec.signals!.activeSessions = { expr: 'max(pg_stat_activity_count{instance="db1:9187",state="active"})', unit: 'count' };
      }),
    ).toEqual([]);
  });

  it('your own signal with `target:` needs that target', () => {
    const p = located((d) => (d.spec.signals!.queue = { expr: 'max(queue_depth)', target: 'replicas' }));
    expect(p.map((x) => [x.check, x.text])).toEqual([['signal-target-set', 'replicas']]);
    expect(p[0]!.message).toContain('signal `queue` reads spec.targets.replicas');
  });

  it('your own signal with `seriesPer:` needs that target with a count', () => {
    const p = located((d) => {
      d.spec.signals!.queue = { expr: 'max(queue_depth)', seriesPer: 'hosts' };
    });
    expect(p.map((x) => [x.check, x.text])).toEqual([['signal-target-set', 'hosts']]);
    expect(p[0]!.message).toContain('signal `queue` says `seriesPer: hosts`, but spec.targets.hosts has no `count`');
    expect(problems((d) => {
      d.spec.signals!.queue = { expr: 'max(queue_depth)', seriesPer: 'hosts' };
      d.spec.targets!.hosts = { selector: 'instance=~"db[12]:9100"', count: 2 };
    })).toEqual([]);
  });
});

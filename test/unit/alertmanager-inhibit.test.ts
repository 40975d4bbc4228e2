/**
 * The inhibit rules, proven on a real Alertmanager running the merged config: a rollback silences
 * the pause alert of the same gate only; the `gate=~".+"` guard stops gate-less alerts from pairing
 * up (a missing label counts as equal); MigrationMetricsAbsent silences the per-gate absent alerts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeAlertmanager, mergeInputOf, parseBaseConfig } from '../../src/alertmanager/merge';
import { ALERT } from '../../src/generate/names';
import { loadDefinitions } from '../../src/pipeline';
import { REPO } from '../helpers/cli';
import { Services, waitFor } from '../helpers/services';

const services = new Services();
let url = '';
const ID = 'orders-region-backfill';

beforeAll(async () => {
  const base = parseBaseConfig('base.yml', readFileSync(join(REPO, 'test/fixtures/alertmanager/base.yml'), 'utf8')).base!;
  const r = loadDefinitions([join(REPO, 'examples/orders-region-backfill.yaml')]);
  expect(r.ok).toBe(true);
  const merged = mergeAlertmanager(base, r.migrations.map(mergeInputOf));
  expect(merged.diagnostics).toEqual([]);
  ({ url } = await services.startAlertmanager(merged.text!));
});
afterAll(() => services.stopAll());

type Labels = Record<string, string>;
const alert = (alertname: string, labels: Labels): Labels => ({ alertname, migration_id: ID, ...labels });
const pause = (gate: string, extra: Labels = {}): Labels => alert(ALERT.pause, { gate, action: 'pause', severity: 'warning', ...extra });
const rollback = (gate: string): Labels => alert(ALERT.rollback, { gate, action: 'rollback', severity: 'critical' });
const absent = (gate: string): Labels => alert(ALERT.absent, { gate, action: 'pause', severity: 'warning' });

async function post(alerts: Labels[]): Promise<void> {
  const endsAt = new Date(Date.now() + 10 * 60_000).toISOString();
  const res = await fetch(`${url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts.map((labels) => ({ labels, endsAt }))),
  });
  expect(res.status).toBe(200);
}

/** State of every alert (`active` or `suppressed`), keyed by a readable label summary. */
async function states(expected: number): Promise<Record<string, string>> {
  return waitFor(`${expected} alerts in Alertmanager`, async () => {
    const res = await fetch(`${url}/api/v2/alerts`);
    const list = (await res.json()) as { labels: Labels; status: { state: string } }[];
    if (list.length < expected) return undefined;
    return Object.fromEntries(list.map((a) => [`${a.labels.migration_id} ${a.labels.alertname} ${a.labels.gate ?? '-'}`, a.status.state]));
  });
}

describe('inhibit rules on a real Alertmanager', () => {
  it('rollback silences the pause of its own gate only, and never the absent-signal alert', async () => {
    await post([
      rollback('replication-lag'),
      pause('replication-lag'),
      absent('replication-lag'),
      pause('disk-free'),
      { ...pause('replication-lag'), migration_id: 'another-migration' },
      // Gate-less alerts: without the gate=~".+" guard they would count as "equal" and pair up.
      alert(ALERT.rollback, { action: 'rollback', severity: 'critical' }),
      alert(ALERT.pause, { action: 'pause', severity: 'warning' }),
    ]);
    const s = await states(7);
    expect(s).toEqual({
      [`${ID} ${ALERT.rollback} replication-lag`]: 'active',
      [`${ID} ${ALERT.pause} replication-lag`]: 'suppressed',
      [`${ID} ${ALERT.absent} replication-lag`]: 'active',
      [`${ID} ${ALERT.pause} disk-free`]: 'active',
      [`another-migration ${ALERT.pause} replication-lag`]: 'active',
      [`${ID} ${ALERT.rollback} -`]: 'active',
      [`${ID} ${ALERT.pause} -`]: 'active',
    });
  });

  it('MigrationMetricsAbsent silences the per-gate absent-signal alerts of its migration', async () => {
    await post([alert(ALERT.metricsAbsent, { action: 'investigate', severity: 'warning' }), { ...absent('disk-free'), migration_id: 'another-migration' }]);
    const s = await states(9);
    expect(s[`${ID} ${ALERT.absent} replication-lag`]).toBe('suppressed');
    expect(s[`${ID} ${ALERT.metricsAbsent} -`]).toBe('active');
    expect(s[`another-migration ${ALERT.absent} disk-free`]).toBe('active');
    // Pause alerts are not what MigrationMetricsAbsent speaks for.
    expect(s[`${ID} ${ALERT.pause} disk-free`]).toBe('active');
  });
});

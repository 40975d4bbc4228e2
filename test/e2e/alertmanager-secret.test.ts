/**
 * End to end: a base whose PagerDuty receivers carry `routing_key: 0123456789` and `routing_key:
 * 1e3` (test/fixtures/alertmanager/hostile-pagerduty.yml) is merged by the built CLI (`migobs
 * alertmanager --base`), a real Alertmanager loads the result, and alerts posted to its API reach a
 * fake PagerDuty events endpoint with the base's exact keys: the migration's page and a base route's
 * page. (The merge of migobs 0.1, which re-serialized the parsed base, sent 123456789 and 1e+3.)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT } from '../../src/generate/names';
import { migobs, REPO } from '../helpers/cli';
import { HOST, Services, waitFor } from '../helpers/services';
import { runTool } from '../helpers/tools';

interface PagerDutyEvent {
  routing_key: string;
  event_action: string;
}

const services = new Services();
/** Every request body the fake receiver got, by path. */
const received: Record<string, unknown[]> = {};
let url = '';
/** The fake PagerDuty events endpoint. */
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let parsed: unknown = body;
    try {
      parsed = JSON.parse(body);
    } catch {
      /* kept as text: the test then fails on its shape */
    }
    (received[req.url ?? ''] ??= []).push(parsed);
    // What PagerDuty's Events API v2 answers.
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"success","message":"Event processed"}');
  });
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, HOST, r));
  const port = (server.address() as AddressInfo).port;

  const dir = services.tempDir('am-secret');
  const base = join(dir, 'alertmanager.yml');
  writeFileSync(base, readFileSync(join(REPO, 'test/fixtures/alertmanager/hostile-pagerduty.yml'), 'utf8').replaceAll('http://127.0.0.1:1/', `http://${HOST}:${port}/`));
  const merged = migobs(['alertmanager', '--base', base, 'examples/orders-region-backfill.yaml']);
  expect(merged.stderr).toBe('');
  expect(merged.code).toBe(0);
  expect(merged.stdout).toContain('routing_key: 0123456789\n');
  const mergedFile = join(dir, 'merged.yml');
  writeFileSync(mergedFile, merged.stdout);
  expect(runTool('amtool', ['check-config', mergedFile]).code).toBe(0);
  ({ url } = await services.startAlertmanager(merged.stdout));
}, 120_000);
afterAll(async () => {
  await services.stopAll();
  await new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
});

async function post(labels: Record<string, string>): Promise<void> {
  const res = await fetch(`${url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ labels, endsAt: new Date(Date.now() + 10 * 60_000).toISOString() }]),
  });
  expect(res.status).toBe(200);
}

/** The PagerDuty events that reached one path of the fake receiver. */
const eventsAt = (path: string): Promise<PagerDutyEvent[]> => waitFor(`a PagerDuty event at ${path}`, () => (received[path]?.length ? (received[path] as PagerDutyEvent[]) : undefined), 60_000);

describe('a real Alertmanager running the merged config pages with the base’s exact routing keys', () => {
  it('the migration’s rollback page carries routing_key "0123456789"', async () => {
    await post({ alertname: ALERT.rollback, migration_id: 'orders-region-backfill', gate: 'replication-lag', action: 'rollback', severity: 'critical' });
    const events = await eventsAt('/pagerduty-orders');
    expect(events.map((e) => [e.event_action, e.routing_key])).toEqual([['trigger', '0123456789']]);
  }, 90_000);

  it('a base route’s page carries routing_key "1e3"', async () => {
    await post({ alertname: 'DiskFull', team: 'dba', severity: 'critical' });
    const events = await eventsAt('/dba-pager');
    expect(events.map((e) => [e.event_action, e.routing_key])).toEqual([['trigger', '1e3']]);
  }, 90_000);
});

/**
 * exporters/postgres/migration-queries.yaml on a real PostgreSQL and a real postgres_exporter:
 * `CREATE INDEX CONCURRENTLY` on a 200,000-row table, held in known phases by other sessions
 * (no sleeps, no luck with timing):
 *
 * 1. a writer holds an open transaction on the table, so the build waits in
 *    "waiting for writers before build" (lockers_total 1, lockers_done 0);
 * 2. the writer commits; the index expression hold_at(id) waits at id 100,000 for an advisory lock
 *    another session holds, so the build stops half-way through "building index: scanning table"
 *    (0 < blocks_done < blocks_total = the table's blocks);
 * 3. the lock is released: the build finishes and its series disappear (no row = nothing running).
 *
 * Then VACUUM FULL, held the same way while it rebuilds that index, shows in pg_progress_cluster.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli';
import { Services, waitFor, type Postgres } from '../helpers/services';

const QUERIES = readFileSync(join(REPO, 'exporters', 'postgres', 'migration-queries.yaml'), 'utf8');

interface Series {
  labels: Record<string, string>;
  value: number;
}

/** Series of one metric in an exposition (labels parsed; values as numbers). */
function parse(text: string, name: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}\\{(.*)\\} (\\S+)$`).exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of m[1]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    out.push({ labels, value: Number(m[2]) });
  }
  return out;
}

describe('PostgreSQL progress views through postgres_exporter', () => {
  const services = new Services();
  let db: Postgres;
  let exporter: { target: string };
  const clients: pg.Client[] = [];

  async function session(name: string): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: db.dsn(), application_name: name });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  }
  async function scrape(): Promise<string> {
    const r = await fetch(`http://${exporter.target}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return r.text();
  }
  /**
   * Wait until the session named `name` waits for the advisory lock hold_at(100000) takes: from
   * then on its progress is held. (Reading the view before that races the scan: on its first block
   * PostgreSQL reports blocks_done = blocks_total, and a scan not yet held moves on.)
   */
  async function heldAtAdvisoryLock(name: string): Promise<void> {
    await waitFor(`${name} to wait for the advisory lock`, () => {
      const n = db.psql(`SELECT count(*) FROM pg_stat_activity WHERE application_name = '${name}' AND wait_event_type = 'Lock' AND wait_event = 'advisory'`);
      return n === '1' ? true : undefined;
    }, 60_000, 100);
  }
  /** Wait until the build's series show `phase`, then return them by metric suffix. */
  async function inPhase(metric: string, phase: string): Promise<Record<string, Series>> {
    let last = '';
    try {
      return await waitFor(`${metric} in phase ${phase}`, async () => {
        last = await scrape();
        const found = parse(last, `${metric}_\\w+`).length ? last : '';
        const byName: Record<string, Series> = {};
        for (const line of found.split('\n')) {
          const m = new RegExp(`^(${metric}_\\w+)\\{`).exec(line);
          if (!m) continue;
          const [s] = parse(line, m[1]!);
          if (s && s.labels.phase === phase) byName[m[1]!.slice(metric.length + 1)] = s;
        }
        return Object.keys(byName).length ? byName : undefined;
      }, 60_000, 200);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${last.split('\n').filter((l) => l.startsWith(metric)).join('\n')}`);
    }
  }

  beforeAll(async () => {
    // One process builds (no parallel workers), so the scan reaches hold_at(100000) in heap order.
    db = await services.startPostgres({ max_parallel_maintenance_workers: '0' });
    // hold_at(id) waits for advisory lock 42 at id 100,000 (half-way): a session holding that lock
    // stops a build exactly there, in a known phase with known progress.
    db.psql(`CREATE FUNCTION hold_at(id bigint) RETURNS bigint IMMUTABLE LANGUAGE plpgsql AS $$
      BEGIN IF id = 100000 THEN PERFORM pg_advisory_lock_shared(42); PERFORM pg_advisory_unlock_shared(42); END IF; RETURN id; END $$`);
    db.psql('CREATE TABLE orders (id bigint PRIMARY KEY, region text, note text); INSERT INTO orders SELECT g, CASE WHEN g % 3 = 0 THEN \'eu\' ELSE \'us\' END, repeat(\'x\', 40) FROM generate_series(1, 200000) g; ANALYZE orders;');
    exporter = await services.startPostgresExporter(db.dsn(), QUERIES);
  });
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await services.stopAll();
  });

  it('no build running: no series (not zero progress)', async () => {
    const text = await scrape();
    expect(text).toMatch(/^pg_up 1$/m);
    expect(parse(text, 'pg_progress_create_index_blocks_total')).toEqual([]);
    // The query itself ran without error (postgres_exporter reports a failed custom query here).
    expect(text).not.toMatch(/^pg_exporter_last_scrape_error 1$/m);
    expect(text).not.toMatch(/^pg_exporter_user_queries_load_error\{.*\} 1$/m);
  });

  it('CREATE INDEX CONCURRENTLY observed waiting for a writer, then mid-scan', async () => {
    const blocks = Number(db.psql("SELECT pg_relation_size('orders') / current_setting('block_size')::int"));
    expect(blocks).toBeGreaterThan(1000);

    const writer = await session('writer');
    await writer.query('BEGIN');
    await writer.query("UPDATE orders SET note = 'w' WHERE id = 1");
    const holder = await session('holder');
    await holder.query('SELECT pg_advisory_lock(42)');
    const builder = await session('builder');
    const build = builder.query('CREATE INDEX CONCURRENTLY orders_hold_idx ON orders (hold_at(id))');
    build.catch(() => undefined);

    try {
      const waiting = await inPhase('pg_progress_create_index', 'waiting for writers before build');
      expect(waiting.lockers_total!.value).toBe(1);
      expect(waiting.lockers_done!.value).toBe(0);
      expect(waiting.lockers_total!.labels).toMatchObject({ datname: 'postgres', relation: 'public.orders', command: 'CREATE INDEX CONCURRENTLY' });
      expect(Number(waiting.lockers_total!.labels.pid)).toBeGreaterThan(0);
      expect(waiting.running_seconds!.value).toBeGreaterThanOrEqual(0);

      // The writer commits: the build scans the table until hold_at(100000) waits for the advisory lock.
      await writer.query('COMMIT');
      await heldAtAdvisoryLock('builder');
      const scanning = await inPhase('pg_progress_create_index', 'building index: scanning table');
      expect(scanning.blocks_total!.value).toBe(blocks);
      expect(scanning.blocks_total!.labels).toMatchObject({ relation: 'public.orders', index_relation: 'public.orders_hold_idx' });
      // Held half-way: the scan's progress, blocks_done / blocks_total, is strictly between 0 and 1.
      expect(scanning.blocks_done!.value).toBeGreaterThan(0);
      expect(scanning.blocks_done!.value).toBeLessThan(blocks);
    } finally {
      // Released even when an assertion failed, so the next test's holder can take the lock.
      await writer.query('ROLLBACK').catch(() => undefined);
      await holder.query('SELECT pg_advisory_unlock(42)');
    }
    await build;
    await waitFor('the build series to disappear', async () => (parse(await scrape(), 'pg_progress_create_index_blocks_total').length === 0 ? true : undefined), 30_000, 200);
    expect(db.psql("SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_hold_idx'::regclass")).toBe('t');
  });

  it('VACUUM FULL observed in pg_progress_cluster while it rebuilds the indexes', async () => {
    // Rebuilding orders_hold_idx evaluates hold_at(id) again: held at row 100,000 the same way.
    const holder = await session('holder-2');
    await holder.query('SELECT pg_advisory_lock(42)');
    const vacuum = (await session('vacuum')).query('VACUUM FULL orders');
    vacuum.catch(() => undefined);
    try {
      await heldAtAdvisoryLock('vacuum');
      const rebuilding = await inPhase('pg_progress_cluster', 'rebuilding index');
      expect(rebuilding.heap_tuples_written!.labels).toMatchObject({ command: 'VACUUM FULL', datname: 'postgres', relation: 'public.orders' });
      expect(rebuilding.heap_tuples_written!.value).toBe(200000);
    } finally {
      await holder.query('SELECT pg_advisory_unlock(42)');
    }
    await vacuum;
    await waitFor('the rewrite series to disappear', async () => (parse(await scrape(), 'pg_progress_cluster_heap_blks_total').length === 0 ? true : undefined), 30_000, 200);
  });
});

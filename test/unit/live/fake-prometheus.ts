/**
 * A tiny HTTP server standing in for Prometheus where the real one cannot produce the answer under
 * test (garbage bodies, HTTP errors, hangs, NaN). Every request is recorded.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
}

export type Reply = { status?: number; body: string; contentType?: string } | 'hang' | 'destroy';

export interface FakePrometheus {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export async function startFake(reply: (query: string, req: Recorded) => Reply, listen: (handler: Parameters<typeof createServer>[1]) => Server = (h) => createServer(h)): Promise<FakePrometheus> {
  const requests: Recorded[] = [];
  const server = listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const rec: Recorded = { path: url.pathname, query: url.searchParams.get('query') ?? '', headers: req.headers };
    requests.push(rec);
    const r = reply(rec.query, rec);
    if (r === 'hang') return; // never answers; the client's timeout must end it
    if (r === 'destroy') {
      req.socket.destroy();
      return;
    }
    res.writeHead(r.status ?? 200, { 'content-type': r.contentType ?? 'application/json' }).end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = 'setSecureContext' in server ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A Prometheus success answer with an instant vector. */
export function vector(samples: { metric: Record<string, string>; value: string }[]): Reply {
  return { body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: samples.map((s) => ({ metric: s.metric, value: [1700000000, s.value] })) } }) };
}

/** Gate ids named in a batched gate query (label_replace(..., "gate", "<id>", "", "")). */
export function gateIdsIn(query: string): string[] {
  return [...query.matchAll(/"gate", "([^"]+)", "", ""\)/g)].map((m) => m[1]!);
}

/**
 * Behaves like Prometheus for gate queries: answers the phase query with `phase` and each gate with
 * `values[gate]` (a missing key = no series for that gate).
 */
export function gateAnswers(phase: string | undefined, values: Record<string, string>): (query: string) => Reply {
  return (query) => {
    if (query.startsWith('migration_phase')) return vector(phase === undefined ? [] : [{ metric: { __name__: 'migration_phase', migration_id: 'gate-unit', phase }, value: '1' }]);
    return vector(gateIdsIn(query).filter((id) => id in values).map((id) => ({ metric: { gate: id }, value: values[id]! })));
  };
}

/** Small HTTP servers the end-to-end tests start on 127.0.0.1 themselves (and must close). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HOST } from './services';

/** Listen on a free port of 127.0.0.1; resolves to `127.0.0.1:<port>`. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, HOST, r));
  return `${HOST}:${(server.address() as AddressInfo).port}`;
}

/** A /metrics endpoint serving fixed exposition text (an exporter or a runner, reduced to what the gate reads). */
export async function metricsServer(lines: string[]): Promise<{ server: Server; target: string }> {
  const text = [...lines, ''].join('\n');
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text));
  return { server, target: await listen(server) };
}

/** Close servers and their keep-alive connections (afterAll). */
export function closeServers(servers: Server[]): void {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
}

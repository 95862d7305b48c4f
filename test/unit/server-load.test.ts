import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createFetchHandler, type FetchHandler } from '../../src/server/handler.js';
import { serve, type ServeHandle, type ServeOptions } from '../../src/server/node.js';
import { benchRecords } from '../bench/records.js';
import { bikePredictor, postBytes, rawClient, type RawClient, readResponse } from '../fixtures/server-tools.js';

/**
 * The Node server under slow and abusive clients, on 127.0.0.1 with short limits. Every wait is
 * bounded; the bounds are loose enough for a loaded 2-core machine.
 */

const ONE = JSON.stringify(benchRecords(1)[0]);

const predictor = bikePredictor();

async function withServer<T>(
  options: ServeOptions,
  work: (server: ServeHandle) => Promise<T>,
  handler: FetchHandler = createFetchHandler(predictor()),
): Promise<T> {
  const server = await serve(handler, { host: '127.0.0.1', port: 0, ...options });
  try {
    return await work(server);
  } finally {
    server.server.closeAllConnections();
    await server.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('serve under slow clients (raw sockets on 127.0.0.1)', () => {
  it('200 connections sending headers a byte a second neither delay a normal request nor outlive the headers timeout', async () => {
    const HEADERS_TIMEOUT = 1500;
    await withServer({ headersTimeoutMs: HEADERS_TIMEOUT }, async (server) => {
      const clients: RawClient[] = await Promise.all(Array.from({ length: 200 }, () => rawClient(server.port)));
      const head = Buffer.from('POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n');
      let sent = 0;
      const drip = () => {
        for (const c of clients) if (!c.socket.destroyed) c.socket.write(head.subarray(sent, sent + 1));
        sent++;
      };
      drip();
      const dripping = setInterval(drip, 1000);
      try {
        await sleep(300);
        const start = performance.now();
        const response = await fetch(`${server.url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: ONE,
        });
        const elapsed = performance.now() - start;
        expect(response.status).toBe(200);
        expect(elapsed).toBeLessThan(1000);
        // They were all still open while it was answered: the slow ones did not get in its way by being dropped.
        const closedEarly = await Promise.race([Promise.any(clients.map((c) => c.closed)).then(() => true), sleep(0).then(() => false)]);
        expect(closedEarly).toBe(false);
        const closedAt = await Promise.race([Promise.all(clients.map((c) => c.closed)), sleep(8000).then(() => null)]);
        expect(closedAt, 'every slow connection closed within 8 s').not.toBeNull();
        for (const [i, at] of closedAt!.entries()) expect(at - clients[i]!.openedAt).toBeGreaterThanOrEqual(HEADERS_TIMEOUT - 100);
        // Node's answer to a headers timeout is a bare 408.
        expect(clients.filter((c) => c.received().toString('latin1').startsWith('HTTP/1.1 408')).length).toBeGreaterThan(150);
      } finally {
        clearInterval(dripping);
        for (const c of clients) c.socket.destroy();
      }
    });
  });

  it.each([
    ['direct routes', (h: FetchHandler) => h],
    [
      'Fetch Request/Response',
      (h: FetchHandler): FetchHandler =>
        (r) =>
          h(r),
    ],
  ])('a body dribbled slower than bodyTimeoutMs gets 408 ERR_BODY_TIMEOUT as JSON and the connection closes (%s)', async (_, wrap) => {
    await withServer(
      { bodyTimeoutMs: 400 },
      async (server) => {
        const client = await rawClient(server.port);
        try {
          const bytes = postBytes('/predict', ONE);
          const head = bytes.subarray(0, bytes.indexOf('\r\n\r\n') + 5); // headers and the body's first byte
          client.socket.write(head);
          let at = head.byteLength;
          const dripping = setInterval(() => at < bytes.byteLength && client.socket.write(bytes.subarray(at, ++at)), 1000);
          const start = performance.now();
          try {
            const response = await readResponse(client, 5000);
            expect(response?.status).toBe(408);
            expect(response!.headers.connection).toBe('close');
            expect(JSON.parse(response!.body).error).toMatchObject({ code: 'ERR_BODY_TIMEOUT', message: expect.any(String) });
            expect(performance.now() - start).toBeLessThan(4000);
            expect(await Promise.race([client.closed, sleep(3000).then(() => null)])).not.toBeNull();
          } finally {
            clearInterval(dripping);
          }
        } finally {
          client.socket.destroy();
        }
      },
      wrap(createFetchHandler(predictor())),
    );
  });

  it('a body that keeps trickling within bodyTimeoutMs is still cut off by requestTimeoutMs', async () => {
    await withServer({ headersTimeoutMs: 400, requestTimeoutMs: 1200, bodyTimeoutMs: 5000 }, async (server) => {
      const client = await rawClient(server.port);
      const bytes = postBytes('/predict', ONE);
      let at = bytes.indexOf('\r\n\r\n') + 4;
      client.socket.write(bytes.subarray(0, at));
      const dripping = setInterval(() => at < bytes.byteLength && client.socket.write(bytes.subarray(at, ++at)), 100);
      try {
        const closedAt = await Promise.race([client.closed, sleep(6000).then(() => null)]);
        expect(closedAt, 'closed within 6 s').not.toBeNull();
        expect(closedAt! - client.openedAt).toBeGreaterThanOrEqual(1100);
        expect(client.received().toString('latin1')).toMatch(/^HTTP\/1\.1 408/);
      } finally {
        clearInterval(dripping);
        client.socket.destroy();
      }
    });
  });

  it('an idle keep-alive connection is closed after keepAliveTimeoutMs', async () => {
    await withServer({ keepAliveTimeoutMs: 300 }, async (server) => {
      const client = await rawClient(server.port);
      try {
        // The server's keep-alive timer starts after its answer, so after this moment.
        const sentAt = performance.now();
        client.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        expect((await readResponse(client, 5000))?.status).toBe(200);
        const closedAt = await Promise.race([client.closed, sleep(5000).then(() => null)]);
        expect(closedAt, 'closed within 5 s').not.toBeNull();
        expect(closedAt! - sentAt).toBeGreaterThanOrEqual(290);
      } finally {
        client.socket.destroy();
      }
    });
  });
});

describe('serve under load', () => {
  it('64 keep-alive clients hammering past maxConcurrent get only 200 or 503 with Retry-After, and never hang', async () => {
    const body = Buffer.from(JSON.stringify(benchRecords(100)));
    const handler = createFetchHandler(predictor(), { maxConcurrent: 2, retryAfterSeconds: 2 });
    await withServer(
      {},
      async (server) => {
        const agent = new Agent({ keepAlive: true, maxSockets: 64 });
        const statuses = new Map<number, number>();
        const problems: string[] = [];
        const until = performance.now() + 3000;
        const client = async () => {
          while (performance.now() < until) {
            const r = await post(agent, server.port, body);
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
            if (r.status === 503 && (r.retryAfter !== '2' || JSON.parse(r.body).error.code !== 'ERR_OVERLOADED'))
              problems.push(`503 ${r.retryAfter} ${r.body}`);
          }
        };
        try {
          await Promise.all(Array.from({ length: 64 }, client));
        } finally {
          agent.destroy();
        }
        expect(problems).toEqual([]);
        expect([...statuses.keys()].sort()).toEqual([200, 503]);
        // Health checks are never shed, and the count of requests in flight went back to zero.
        expect((await fetch(`${server.url}/health`)).status).toBe(200);
        const after = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ONE });
        expect(after.status).toBe(200);
      },
      handler,
    );
  });
});

/**
 * One POST on a keep-alive agent, its headers and body in two writes with an event-loop poll
 * phase between them (two nested setImmediate), so the server has read the headers, and admitted
 * the request, before its body comes: as over a real network. On loopback a whole request
 * otherwise arrives in one read and is answered before the next socket is read, so requests
 * would never overlap; a timer gap is not enough on a starved machine, where it expires before
 * the next poll. A response not complete within 10 s is a hang.
 */
function post(agent: Agent, port: number, body: Buffer): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/predict',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.byteLength },
      },
      (res) => {
        answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.once('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], body: text }));
        res.once('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('hang: no answer within 10 s')));
    // A 503 may come before the body is sent, and the server then closes: writing the body fails, the answer stands.
    req.on('error', (error) => answered || reject(error));
    req.flushHeaders();
    setImmediate(() => setImmediate(() => req.destroyed || req.end(body)));
  });
}

import { describe, expect, it } from 'vitest';
import { createFetchHandler, type FetchHandler, type FetchHandlerOptions } from '../../src/server/handler.js';
import { makecalcRoute } from '../../models/bike-daily/makecalc.js';
import { serve, type ServeHandle } from '../../src/server/node.js';
import { benchRecords } from '../bench/records.js';
import { bikePredictor, JSON_TYPE, postBytes, type PredictorSpy, rawClient, SEED_ROW, spyPredictor } from '../fixtures/server-tools.js';

/**
 * Work stops when nobody waits for it: a client that hangs up aborts its prediction, a request
 * past its timeoutMs answers 503 ERR_TIMEOUT and aborts too, and a full server sheds with 503.
 * The spy holds each call (as a slow worker would) so the abort can land while it runs.
 */

const predictor = bikePredictor();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** `promise`, or a failure naming `what` after `ms`: no wait in these tests is unbounded. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`${what}: not within ${ms} ms`)))]);
}

async function withServer<T>(handler: FetchHandler, work: (server: ServeHandle) => Promise<T>): Promise<T> {
  const server = await serve(handler, { host: '127.0.0.1', port: 0 });
  try {
    return await work(server);
  } finally {
    server.server.closeAllConnections();
    await server.close();
  }
}

const driftRecords = async () => (await predictor().monitor()).drift?.records;

describe.each([
  ['direct routes', (h: FetchHandler) => h],
  [
    'Fetch Request/Response',
    (h: FetchHandler): FetchHandler =>
      (r) =>
        h(r),
  ],
])('a client that disconnects cancels its prediction (%s)', (_, wrap) => {
  it('the signal passed to predictBatch aborts, the batch never runs, and its slot is freed', async () => {
    const spy = spyPredictor(predictor(), 10_000);
    await withServer(wrap(createFetchHandler(spy.predictor, { maxConcurrent: 1 })), async (server) => {
      const before = await driftRecords();
      const client = await rawClient(server.port);
      const started = spy.started();
      client.socket.write(postBytes('/predict', JSON.stringify(benchRecords(5000))));
      const call = await within(started, 5000, 'predictBatch called');
      expect(call.signal?.aborted).toBe(false);
      client.socket.destroy();
      expect(await within(call.outcome, 3000, 'call aborted')).toBe('ERR_ABORTED');
      expect(call.signal!.aborted).toBe(true);
      expect(await driftRecords()).toBe(before); // the 5,000 records were never predicted
      spy.holdMs = 0;
      const next = await fetch(`${server.url}/predict`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(benchRecords(2)) });
      expect(next.status).toBe(200);
    });
  });
});

describe('timeoutMs on every route (real server on 127.0.0.1)', () => {
  // The bike model's extra route: an extra route honours timeouts and cancellation like a built-in one.
  const SEED = { '/api/makecalc': makecalcRoute };
  const cases: Array<[string, string, Record<string, string>, FetchHandlerOptions]> = [
    ['makecalc, ?timeoutMs=', '/api/makecalc/?timeoutMs=150', {}, {}],
    ['makecalc, X-Timeout-Ms', '/api/makecalc/', { 'x-timeout-ms': '150' }, {}],
    ['makecalc, the server option', '/api/makecalc/', {}, { timeoutMs: 150 }],
    ['makecalc, a client cannot extend the server option', '/api/makecalc/?timeoutMs=60000', {}, { timeoutMs: 150 }],
    ['predict, ?timeoutMs=', '/predict?timeoutMs=150', {}, {}],
    ['predict, X-Timeout-Ms', '/predict', { 'x-timeout-ms': '150' }, {}],
  ];
  it.each(cases)('%s: 503 ERR_TIMEOUT in time, and the prediction is aborted', async (_, path, headers, options) => {
    const spy = spyPredictor(predictor(), 10_000);
    await withServer(createFetchHandler(spy.predictor, { ...options, routes: SEED }), async (server) => {
      const body = path.startsWith('/api/makecalc') ? { '0': SEED_ROW } : benchRecords(3);
      const start = performance.now();
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { ...JSON_TYPE, ...headers },
        body: JSON.stringify(body),
      });
      expect(performance.now() - start).toBeLessThan(3000);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('ERR_TIMEOUT');
      expect(spy.calls).toHaveLength(1);
      expect(await within(spy.calls[0]!.outcome, 3000, 'call aborted')).toBe('ERR_ABORTED');
    });
  });

  it('a request that finishes within its timeoutMs answers normally', async () => {
    const spy = spyPredictor(predictor(), 20);
    await withServer(createFetchHandler(spy.predictor, { timeoutMs: 10_000, routes: SEED }), async (server) => {
      const response = await fetch(`${server.url}/api/makecalc/?timeoutMs=5000`, {
        method: 'POST',
        headers: JSON_TYPE,
        body: JSON.stringify({ '7': SEED_ROW }),
      });
      expect(response.status).toBe(200);
      expect(Object.keys((await response.json()) as object)).toEqual(['7']);
    });
  });

  it('400 ERR_BAD_REQUEST for a timeoutMs that is not a positive integer', async () => {
    const handler = createFetchHandler(predictor());
    for (const bad of ['abc', '0', '-5', '1.5', '99999999999']) {
      const response = await handler(new Request(`http://x/predict?timeoutMs=${bad}`, { method: 'POST', headers: JSON_TYPE, body: '{}' }));
      expect(response.status, bad).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('ERR_BAD_REQUEST');
    }
  });
});

describe('maxConcurrent (the handler alone)', () => {
  it('past the limit: 503 ERR_OVERLOADED with Retry-After before the body is read; /health still answers', async () => {
    const spy: PredictorSpy = spyPredictor(predictor(), 10_000);
    const handler = createFetchHandler(spy.predictor, { maxConcurrent: 1 });
    const first = new AbortController();
    const started = spy.started();
    const pending = handler(
      new Request('http://x/predict', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(benchRecords(2)), signal: first.signal }),
    );
    const call = await within(started, 5000, 'first call');
    let pulled = false;
    const body = new ReadableStream<Uint8Array>({ pull: () => void (pulled = true) }, { highWaterMark: 0 });
    const shed = await handler(
      new Request('http://x/predict', { method: 'POST', headers: JSON_TYPE, body, duplex: 'half' } as RequestInit),
    );
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(await shed.json()).toEqual({ error: { code: 'ERR_OVERLOADED', message: expect.stringMatching(/limit of 1 request/) } });
    expect(pulled).toBe(false);
    expect((await handler(new Request('http://x/health'))).status).toBe(200);
    // An aborted Fetch Request aborts its prediction too, and frees the slot.
    first.abort();
    expect(await within(call.outcome, 3000, 'first call aborted')).toBe('ERR_ABORTED');
    await pending;
    spy.holdMs = 0;
    expect(
      (await handler(new Request('http://x/predict', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(benchRecords(2)) })))
        .status,
    ).toBe(200);
  });
});

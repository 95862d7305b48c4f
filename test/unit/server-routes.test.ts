import { describe, expect, it } from 'vitest';
import { createFetchHandler } from '../../src/server/handler.js';
import type { HandlerRoute, RouteContext } from '../../src/server/routes.js';
import { makecalcRoute } from '../../models/bike-daily/makecalc.js';
import { benchRecords } from '../bench/records.js';
import { bikePredictor, JSON_TYPE, SEED_ROW } from '../fixtures/server-tools.js';

/** Extra routes from a model package (`createFetchHandler(p, { routes })`), and makecalc as one of them. */

const predictor = bikePredictor();

const post = (path: string, body: unknown) =>
  new Request(`http://x${path}`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(body) });

describe('createFetchHandler({ routes })', () => {
  it('serves an extra route with the predictor, the request signal, the limits and the parsed body', async () => {
    let seen: RouteContext | undefined;
    const total: HandlerRoute = {
      methods: ['POST'],
      async run(request, context) {
        seen = context;
        const records = (await context.json()) as unknown[];
        const predictions = await context.predictor.predictBatch(records, { signal: context.signal });
        return { path: request.path, query: request.query, rentals: predictions.reduce((sum, p) => sum + (p.rentals as number), 0) };
      },
    };
    const handler = createFetchHandler(predictor(), { maxBatchSize: 77, routes: { '/api/total/': total } });
    const records = benchRecords(5);
    const response = await handler(post('/api/total?x=1', records));
    expect(response.status).toBe(200);
    const expected = (await predictor().predictBatch(records)).reduce((sum, p) => sum + (p.rentals as number), 0);
    expect(await response.json()).toEqual({ path: '/api/total', query: 'x=1', rentals: expected });
    expect(seen).toMatchObject({ predictor: predictor(), maxBatchSize: 77 });
    expect(seen!.signal).toBeInstanceOf(AbortSignal);
    const get = await handler(new Request('http://x/api/total'));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('a route error keeps its status and code; an unexpected one is a bare 500', async () => {
    const handler = createFetchHandler(predictor(), {
      routes: {
        '/bad': { methods: ['POST'], run: async (_, context) => context.predictor.predictBatch([{ date: 'never' }]) },
        '/boom': { methods: ['POST'], run: async () => Promise.reject(new Error('secret')) },
      },
    });
    const bad = await handler(post('/bad', {}));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('ERR_VALIDATION');
    const boom = await handler(post('/boom', {}));
    expect(boom.status).toBe(500);
    expect(await boom.text()).not.toContain('secret');
  });

  it('extra routes count against maxConcurrent', async () => {
    let release: () => void = () => {};
    const slow: HandlerRoute = { methods: ['POST'], run: () => new Promise((resolve) => (release = () => resolve({ ok: true }))) };
    const handler = createFetchHandler(predictor(), { maxConcurrent: 1, routes: { '/slow': slow } });
    const first = handler(post('/slow', {}));
    const second = await handler(post('/predict', benchRecords(1)));
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('1');
    release();
    expect((await first).status).toBe(200);
    expect((await handler(post('/predict', benchRecords(1)))).status).toBe(200);
  });

  it('built-in routes cannot be replaced, and a path starts with /', () => {
    const route: HandlerRoute = { methods: ['GET'], run: async () => ({}) };
    expect(() => createFetchHandler(predictor(), { routes: { '/health/': route } })).toThrow(RangeError);
    expect(() => createFetchHandler(predictor(), { routes: { 'api/x': route } })).toThrow(RangeError);
  });

  it('makecalc is an extra route from the bike model: absent without it, served with routes, replaceable', async () => {
    const body = { '0': SEED_ROW };
    expect((await createFetchHandler(predictor())(post('/api/makecalc/', body))).status).toBe(404);
    const viaOption = createFetchHandler(predictor(), { routes: { '/api/makecalc': makecalcRoute } });
    const answer = await (await viaOption(post('/api/makecalc/', body))).json();
    expect(Object.keys(answer as object)).toEqual(Object.keys(body));
    const replaced = createFetchHandler(predictor(), { routes: { '/api/makecalc/': { methods: ['POST'], run: async () => 'mine' } } });
    expect(await (await replaced(post('/api/makecalc', body))).json()).toBe('mine');
  });
});

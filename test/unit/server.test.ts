import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPredictor, type Predictor } from '../../src/index.js';
import { createFetchHandler, type FetchHandler } from '../../src/server/handler.js';
import { serve, type ServeHandle } from '../../src/server/node.js';
import { makecalcRoute } from '../../models/bike-daily/makecalc.js';
import { uciToRecord } from '../../models/bike-daily/uci.js';
import { readDayCsv } from '../../models/bike-daily/data.js';

const MANIFEST = new URL('../../models/bike-daily/manifest.json', import.meta.url);
const APP = 'https://app.example';
const MAX_BODY = 256 * 1024;
const MAX_BATCH = 1000;
const days = readDayCsv();

let predictor: Predictor;
let server: ServeHandle;

beforeAll(async () => {
  predictor = await createPredictor(MANIFEST, { worker: false, cache: false });
});
afterAll(async () => {
  await predictor?.dispose();
});

function post(path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return fetch(`${server.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** The seed sends the feature columns only. */
function seedRow(day: (typeof days)[number]) {
  const { casual: _c, registered: _r, cnt: _n, ...row } = day as typeof day & { casual: number; registered: number };
  return row;
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const text = await response.text();
  expect(text).not.toMatch(/\n\s+at /); // never a stack trace
  const body = JSON.parse(text) as { error: { code: string; message: string; issues?: Array<Record<string, unknown>> } };
  expect(body.error.code).toBe(code);
  expect(body.error.message).toEqual(expect.any(String));
  return body.error;
}

// The adapter runs our handler's routes directly; any other Fetch handler goes through Request/Response. Both must answer alike.
describe.each([
  ['direct routes', (h: FetchHandler) => h],
  [
    'Fetch Request/Response',
    (h: FetchHandler): FetchHandler =>
      (request) =>
        h(request),
  ],
])('createFetchHandler over the Node adapter, %s (real server on 127.0.0.1)', (_, wrap) => {
  beforeAll(async () => {
    // The seed's route comes with the bike model, as `featurecast serve` adds it.
    const handler = createFetchHandler(predictor, {
      corsOrigins: [APP],
      maxBodyBytes: MAX_BODY,
      maxBatchSize: MAX_BATCH,
      routes: { '/api/makecalc': makecalcRoute },
    });
    server = await serve(wrap(handler), { host: '127.0.0.1', port: 0, maxBodyBytes: MAX_BODY });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('listens on loopback with a random port', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
  });

  it('GET /health and HEAD /health', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', model: 'bike-daily', version: predictor.info.version });
    const head = await fetch(`${server.url}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('GET /model is the bundle info', async () => {
    const response = await fetch(`${server.url}/model`);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(predictor.info)));
  });

  it('POST /predict answers exactly what predictBatch answers, one record or many', async () => {
    const records = days.slice(0, 120).map(uciToRecord);
    records[5] = { ...records[5]!, temperature: 60 }; // clipped: warnings must travel too
    const expected = await predictor.predictBatch(records);
    const many = await post('/predict', records);
    expect(many.status).toBe(200);
    expect(await many.json()).toEqual(JSON.parse(JSON.stringify(expected)));
    const one = await post('/predict', records[5]);
    expect(await one.json()).toEqual(JSON.parse(JSON.stringify(await predictor.predict(records[5]))));
    expect(await (await post('/predict', [])).json()).toEqual([]);
  });

  it('POST /api/makecalc/ on real UCI rows equals predictBatch of uciToRecord rows', async () => {
    const body = Object.fromEntries(days.map((day, i) => [String(i), seedRow(day)]));
    const response = await post('/api/makecalc/', body);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as Record<string, Record<string, unknown>>;
    const expected = await predictor.predictBatch(days.map(uciToRecord));
    expect(Object.keys(answer)).toHaveLength(days.length);
    expected.forEach((p, i) => {
      const got = answer[String(i)]!;
      expect(got.rentals).toBe(p.rentals);
      expect(got.busyness).toBe(p.busyness);
      // Library warnings name the UCI column and the value the caller sent; no contradictions on real rows.
      expect(got.warnings ?? []).toEqual(
        (p.warnings ?? []).map((w) => {
          const column = { temperature: 'temp', feelsLike: 'atemp', humidity: 'hum', windSpeed: 'windspeed' }[w.field] ?? w.field;
          return { ...w, index: i, field: column, received: (body[String(i)] as Record<string, unknown>)[column] };
        }),
      );
    });
  });

  it('POST /api/makecalc reports calendar columns that contradict dteday, keyed by row', async () => {
    const row = seedRow(days[151]!); // 2011-06-01, Wednesday, spring
    const response = await post('/api/makecalc', { '42': { ...row, season: 4, weekday: 0 } });
    const answer = (await response.json()) as Record<string, { rentals: number; warnings: unknown[] }>;
    const clean = (await (await post('/api/makecalc', { '42': row })).json()) as typeof answer;
    expect(answer['42']!.rentals).toBe(clean['42']!.rentals); // the date wins
    expect(answer['42']!.warnings).toEqual([
      { index: 42, field: 'season', kind: 'contradicts-date', received: 4, expected: 2 },
      { index: 42, field: 'weekday', kind: 'contradicts-date', received: 0, expected: 3 },
    ]);
  });

  it('POST /api/makecalc/ names the row key and the UCI column in validation issues', async () => {
    const good = seedRow(days[0]!);
    const error = await expectError(
      await post('/api/makecalc/', { '3': good, '17': { ...good, temp: 'hot' }, x: good }),
      400,
      'ERR_VALIDATION',
    );
    expect(error.issues).toEqual([
      expect.objectContaining({ index: 17, path: 'temp', kind: 'type', received: 'hot' }),
      expect.objectContaining({ index: -1, path: 'x', kind: 'record' }),
    ]);
    await expectError(await post('/api/makecalc/', [good]), 400, 'ERR_VALIDATION');
  });

  it('400 with every issue for invalid records, with the library codes and paths', async () => {
    const [a, b] = days.slice(0, 2).map(uciToRecord);
    const error = await expectError(await post('/predict', [a, { ...b, humidity: 'wet', weather: 'sunny' }]), 400, 'ERR_VALIDATION');
    expect(error.issues!.map((i) => [i.index, i.path])).toEqual([
      [1, 'humidity'],
      [1, 'weather'],
    ]);
    await expectError(await post('/predict', 'null'), 400, 'ERR_VALIDATION');
  });

  it('400 ERR_BAD_JSON for malformed JSON or bytes that are not UTF-8', async () => {
    await expectError(await post('/predict', '{"date": '), 400, 'ERR_BAD_JSON');
    const bytes = await fetch(`${server.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array([0x7b, 0xff, 0x7d]),
    });
    await expectError(bytes, 400, 'ERR_BAD_JSON');
  });

  it('415 ERR_MEDIA_TYPE when the body is not declared as JSON', async () => {
    await expectError(await post('/predict', '{}', { 'content-type': 'text/plain' }), 415, 'ERR_MEDIA_TYPE');
    await expectError(await post('/predict', '{}', {}), 415, 'ERR_MEDIA_TYPE');
    expect((await post('/predict', uciToRecord(days[0]!), { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('404 ERR_NOT_FOUND and 405 ERR_METHOD with Allow', async () => {
    await expectError(await fetch(`${server.url}/nope`), 404, 'ERR_NOT_FOUND');
    const get = await fetch(`${server.url}/predict`);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
    await expectError(get, 405, 'ERR_METHOD');
    const put = await fetch(`${server.url}/health`, { method: 'PUT' });
    expect(put.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    await expectError(put, 405, 'ERR_METHOD');
  });

  it('413 ERR_BATCH_TOO_LARGE above maxBatchSize', async () => {
    const records = Array.from({ length: MAX_BATCH + 1 }, () => ({ d: 1 }));
    await expectError(await post('/predict', records), 413, 'ERR_BATCH_TOO_LARGE');
  });

  it('413 ERR_TOO_LARGE for a declared length above the limit, before reading the body', async () => {
    const { status, body } = await rawPost(
      { 'content-type': 'application/json', 'content-length': String(MAX_BODY + 1) },
      Buffer.alloc(0),
      false,
    );
    expect(status).toBe(413);
    expect(JSON.parse(body).error.code).toBe('ERR_TOO_LARGE');
  });

  it('413 for an endless chunked body: cut off at the limit, never buffered to the end', async () => {
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const total = 64 * 1024 * 1024;
    const result = await rawPost({ 'content-type': 'application/json' }, chunk, true, total);
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body).error).toMatchObject({ code: 'ERR_TOO_LARGE', limit: MAX_BODY });
    expect(result.sent).toBeLessThan(total / 4);
  });

  it('CORS: allowed origins get headers, others do not; OPTIONS answers the preflight', async () => {
    const allowed = await fetch(`${server.url}/health`, { headers: { origin: APP } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(allowed.headers.get('vary')).toMatch(/Origin/);
    const other = await fetch(`${server.url}/health`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const errored = await fetch(`${server.url}/nope`, { headers: { origin: APP } });
    expect(errored.headers.get('access-control-allow-origin')).toBe(APP);
    const preflight = await fetch(`${server.url}/predict`, {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type, x-timeout-ms');
    const refused = await fetch(`${server.url}/predict`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('createFetchHandler on its own (any Fetch runtime)', () => {
  it('the handler alone enforces the limit on a streamed body (any Fetch runtime)', async () => {
    const handler = createFetchHandler(predictor, { maxBodyBytes: 1000 });
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(400).fill(0x20));
      },
    });
    const response = await handler(
      new Request('http://x/predict', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    await expectError(response, 413, 'ERR_TOO_LARGE');
    expect(pulled).toBeLessThan(10);
  });

  it('an unexpected failure is a bare 500 ERR_INTERNAL; a disposed predictor is 503', async () => {
    const failing = { ...predictor, info: predictor.info, predict: async () => Promise.reject(new Error('secret internals')) } as Predictor;
    const response = await createFetchHandler(failing)(
      new Request('http://x/predict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    );
    const error = await expectError(response, 500, 'ERR_INTERNAL');
    expect(error.message).not.toContain('secret');
    const gone = await createPredictor(MANIFEST, { worker: false, cache: false });
    await gone.dispose();
    const disposed = await createFetchHandler(gone)(
      new Request('http://x/predict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    );
    await expectError(disposed, 503, 'ERR_DISPOSED');
  });

  it('the handler module stays runtime-neutral: no node: imports', () => {
    for (const file of ['src/server/handler.ts', 'src/server/http.ts', 'models/bike-daily/makecalc.ts', 'models/bike-daily/uci.ts']) {
      expect(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')).not.toMatch(/from ['"]node:/);
    }
  });
});

/** A POST through node:http, for what fetch cannot do: send a lying or endless body and watch the server stop it. */
function rawPost(
  headers: Record<string, string>,
  chunk: Buffer,
  stream: boolean,
  total = 0,
): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let done = false;
    const req = request(`${server.url}/predict`, { method: 'POST', headers }, (res) => {
      done = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, sent }));
      res.on('error', reject);
    });
    // The server may close the socket while we still write: that is the point, not a failure.
    req.on('error', () => {});
    if (!stream) return req.end();
    const pump = () => {
      while (!done && sent < total) {
        sent += chunk.byteLength;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!done) req.end();
    };
    pump();
  });
}

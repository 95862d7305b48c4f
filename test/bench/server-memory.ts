import { fork, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createPredictor } from '../../src/index.js';
import { createFetchHandler } from '../../src/server/handler.js';
import { serve } from '../../src/server/node.js';
import { readDayCsv } from '../../models/bike-daily/data.js';
import { benchRecords } from './records.js';

/**
 * Memory of a long-running server: `npx tsx test/bench/server-memory.ts [--requests 1000000]
 * [--connections 16] [--max-seconds 900]`. The server runs in a child process (with
 * --expose-gc, so heap figures are after a full GC); this process sends small keep-alive
 * requests over raw sockets on 127.0.0.1 (a mix: 1-record /predict, makecalc, /health, invalid
 * records, bad timeoutMs, ?timeoutMs=) and reports the child's RSS and heap growth from after
 * warm-up to the end. Not a test: it prints a report and one JSON line, and stops at
 * --max-seconds with the rate and an extrapolation when the full count would take longer.
 */

const WARMUP = 20_000;
const SAMPLES = 10;

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}

// ---- child: the server --------------------------------------------------------------------

async function child(): Promise<void> {
  const predictor = await createPredictor(fileURLToPath(new URL('../../models/bike-daily/manifest.json', import.meta.url)), {
    worker: false,
    cache: false,
  });
  const server = await serve(createFetchHandler(predictor), { host: '127.0.0.1', port: 0 });
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (message) => {
    if (message === 'memory') {
      gc?.();
      gc?.();
      const { rss, heapUsed, external } = process.memoryUsage();
      process.send!({ rss, heapUsed, external });
    } else if (message === 'stop') {
      void server
        .close()
        .then(() => predictor.dispose())
        .then(() => process.exit(0));
    }
  });
  process.send!({ port: server.port });
}

// ---- parent: the load ---------------------------------------------------------------------

function requests(): Buffer[] {
  const post = (path: string, body: unknown, extra = '') => {
    const payload = Buffer.from(JSON.stringify(body));
    return Buffer.concat([
      Buffer.from(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${payload.byteLength}\r\n${extra}\r\n`,
      ),
      payload,
    ]);
  };
  const records = benchRecords(64);
  const {
    casual: _c,
    registered: _r,
    cnt: _n,
    ...row
  } = readDayCsv()[100] as ReturnType<typeof readDayCsv>[number] & { casual: number; registered: number };
  const mix: Buffer[] = [];
  // 20 slots: 14 predict (2 with a timeout), 2 makecalc, 2 health, 1 invalid record, 1 bad timeoutMs.
  for (let i = 0; i < 12; i++) mix.push(post('/predict', records[i]));
  mix.push(post('/predict?timeoutMs=5000', records[12]), post('/predict', [records[13], records[14]], 'X-Timeout-Ms: 5000\r\n'));
  mix.push(post('/api/makecalc/', { '100': row }), post('/api/makecalc/', { '7': row, '8': row }));
  mix.push(Buffer.from('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'), Buffer.from('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
  mix.push(post('/predict', { ...records[15], humidity: 'wet' }), post('/predict?timeoutMs=soon', records[16]));
  return mix;
}

/**
 * One keep-alive connection sending requests one after another until `next()` says stop; counts
 * 5xx answers. Resolves when done or when the server closes it (the caller then opens another).
 */
function connection(port: number, next: () => Buffer | null, failures: { count: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    let pending: Buffer = Buffer.alloc(0);
    const send = () => {
      const request = next();
      if (!request) return void socket.end();
      socket.write(request);
    };
    socket.on('data', (chunk: Buffer) => {
      pending = pending.byteLength ? Buffer.concat([pending, chunk]) : chunk;
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.byteLength < end + 4 + length) return;
        if (Number(head.slice(9, 12)) >= 500) failures.count++;
        pending = pending.subarray(end + 4 + length);
        if (/\r\nconnection: *close/i.test(head)) return void socket.end();
        send();
      }
    });
    socket.once('close', () => resolve());
    socket.once('error', reject);
    socket.once('connect', send);
  });
}

/** Keeps `n` connections busy until `next()` says stop, reconnecting any the server closes. */
async function load(port: number, n: number, next: () => Buffer | null, failures: { count: number }, more: () => boolean): Promise<void> {
  const worker = async () => {
    while (more()) await connection(port, next, failures);
  };
  await Promise.all(Array.from({ length: n }, worker));
}

function ask<T>(server: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    server.once('message', (m) => resolve(m as T));
    server.send(message);
  });
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const delta = (bytes: number) => `${bytes >= 0 ? '+' : ''}${mb(bytes)}`;

async function parent(): Promise<void> {
  const { values } = parseArgs({
    options: { requests: { type: 'string' }, connections: { type: 'string' }, 'max-seconds': { type: 'string' } },
  });
  const total = Number(values.requests ?? 1_000_000);
  const connections = Number(values.connections ?? 16);
  const maxSeconds = Number(values['max-seconds'] ?? 900);
  const server = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await new Promise<{ port: number }>((resolve) => server.once('message', (m) => resolve(m as { port: number })));
  const mix = requests();
  const failures = { count: 0 };
  let sent = 0;
  let limit = WARMUP;
  const next = () => (sent < limit ? mix[sent++ % mix.length]! : null);
  const run = () => load(port, connections, next, failures, () => sent < limit);

  await run();
  const start = await ask<Memory>(server, 'memory');
  console.log(`after ${WARMUP} warm-up requests: rss ${mb(start.rss)} MB, heap ${mb(start.heapUsed)} MB`);
  const began = performance.now();
  const deadline = began + maxSeconds * 1000;
  let peakRss = start.rss;
  const step = Math.ceil(total / SAMPLES);
  while (sent - WARMUP < total && performance.now() < deadline) {
    limit = Math.min(WARMUP + total, sent + step);
    await run();
    const now = await ask<Memory>(server, 'memory');
    peakRss = Math.max(peakRss, now.rss);
    const rate = (sent - WARMUP) / ((performance.now() - began) / 1000);
    console.log(
      `${sent - WARMUP} requests (${Math.round(rate)}/s): rss ${mb(now.rss)} MB (${delta(now.rss - start.rss)}), heap ${mb(now.heapUsed)} MB (${delta(now.heapUsed - start.heapUsed)})`,
    );
  }
  const seconds = (performance.now() - began) / 1000;
  const end = await ask<Memory>(server, 'memory');
  await new Promise((stopped) => {
    server.once('exit', stopped);
    server.send('stop');
  });
  const done = sent - WARMUP;
  const report = {
    requests: done,
    target: total,
    seconds: Math.round(seconds),
    rps: Math.round(done / seconds),
    extrapolatedSecondsForTarget: done < total ? Math.round(total / (done / seconds)) : undefined,
    rssGrowthMB: mb(end.rss - start.rss),
    peakRssGrowthMB: mb(peakRss - start.rss),
    heapGrowthMB: mb(end.heapUsed - start.heapUsed),
    externalGrowthMB: mb(end.external - start.external),
    serverErrors5xx: failures.count,
  };
  console.log(JSON.stringify(report));
}

if (process.argv.includes('--child')) await child();
else await parent();

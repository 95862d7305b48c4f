import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createPredictor } from '../../src/index.js';
import { createFetchHandler } from '../../src/server/handler.js';
import { serve } from '../../src/server/node.js';
import { benchRecords } from './records.js';

/**
 * Bounded loopback load test of the Node adapter + Fetch handler with the bike bundle: a
 * closed loop of 4 keep-alive connections, one case with 1-record requests and one with
 * 100-record requests, each for a fixed duration (capped so the whole run stays ≤ 15 s).
 */

const MANIFEST = fileURLToPath(new URL('../../models/bike-daily/manifest.json', import.meta.url));
const CONNECTIONS = 4;
const WARMUP_MS = 300;
// Warm-up included, a case stays within 7 s, so both cases plus the model load stay within 15 s.
const MAX_CASE_MS = 7000 - WARMUP_MS;
interface CaseResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

function post(agent: Agent, port: number, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
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
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
        res.resume();
        res.once('end', resolve);
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

async function loadCase(port: number, body: Buffer, durationMs: number): Promise<CaseResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    const loop = async (until: number, latencies: number[] | null) => {
      while (performance.now() < until) {
        const start = performance.now();
        await post(agent, port, body);
        latencies?.push(performance.now() - start);
      }
    };
    const warmEnd = performance.now() + WARMUP_MS;
    await Promise.all(Array.from({ length: CONNECTIONS }, () => loop(warmEnd, null)));
    const latencies: number[] = [];
    const start = performance.now();
    await Promise.all(Array.from({ length: CONNECTIONS }, () => loop(start + durationMs, latencies)));
    const elapsed = performance.now() - start;
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    return { rps: latencies.length / (elapsed / 1000), p50Ms: at(0.5), p99Ms: at(0.99) };
  } finally {
    agent.destroy();
  }
}

/** Runs both cases against a fresh server on a random loopback port and closes it. Client and server share this process. */
export async function benchServer(opts: { durationMs: number }): Promise<{
  rps1: number;
  p50Ms1: number;
  p99Ms1: number;
  rps100: number;
  p50Ms100: number;
  p99Ms100: number;
}> {
  const durationMs = Math.max(100, Math.min(MAX_CASE_MS, opts.durationMs));
  const predictor = await createPredictor(MANIFEST, { worker: false });
  const server = await serve(createFetchHandler(predictor), { host: '127.0.0.1', port: 0 });
  try {
    const one = await loadCase(server.port, Buffer.from(JSON.stringify(benchRecords(1)[0])), durationMs);
    const hundred = await loadCase(server.port, Buffer.from(JSON.stringify(benchRecords(100))), durationMs);
    const r = (x: number) => Math.round(x * 1000) / 1000;
    return {
      rps1: Math.round(one.rps),
      p50Ms1: r(one.p50Ms),
      p99Ms1: r(one.p99Ms),
      rps100: Math.round(hundred.rps),
      p50Ms100: r(hundred.p50Ms),
      p99Ms100: r(hundred.p99Ms),
    };
  } finally {
    await server.close();
    await predictor.dispose();
  }
}

// `npx tsx test/bench/server.ts [ms]` prints one run as JSON.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchServer({ durationMs: Number(process.argv[2] ?? 5000) }).then((r) => console.log(JSON.stringify(r)));
}

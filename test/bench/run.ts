import { parseArgs } from 'node:util';
import { benchBrowser } from './browser.js';
import { measureBytes } from './bytes.js';
import { benchNode } from './node.js';
import { benchServer } from './server.js';

/**
 * `npm run bench [-- --json] [-- --quick]`: every performance figure this project quotes.
 * Medians and p99s over many calls, with references (onnxruntime-node on the same model and
 * matrix; the unmonitored predictor) measured in the same run. Prints a table, or with --json
 * one JSON object on stdout (the table then goes to stderr).
 */

const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false }, quick: { type: 'boolean', default: false } } });
const quick = args.quick!;
const say = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);

const started = performance.now();
/** Announces a part, with the seconds since the start, so a slow part shows. */
const part = (name: string) => say(`${name}… (${Math.round((performance.now() - started) / 1000)} s)`);
part(`featurecast bench${quick ? ' (quick)' : ''}: node`);
const node = await benchNode(quick);
// Before the browser part: run right after it, while Chromium winds down, the server case gave
// 2,400–2,600 requests/s against 4,900–5,300 on its own.
part('server (loopback)');
const server = await benchServer({ durationMs: quick ? 2000 : 5000 });
part('browser (Debian Chromium)');
const browser = await benchBrowser(quick);
part('bytes');
const bytes = await measureBytes({ wasm: true });
const wasm = bytes.wasm!;

const result = {
  node,
  browser,
  server: {
    rps1: server.rps1,
    p50Ms1: server.p50Ms1,
    p99Ms1: server.p99Ms1,
    rps100: server.rps100,
    p50Ms100: server.p50Ms100,
    p99Ms100: server.p99Ms100,
  },
  bytes: {
    jsRaw: bytes.js.raw,
    jsGzip: bytes.js.gzip,
    jsBrotli: bytes.js.brotli,
    wasmRaw: wasm.raw,
    wasmGzip: wasm.gzip,
    wasmBrotli: wasm.brotli,
    modelRaw: bytes.model.raw,
    modelGzip: bytes.model.gzip,
    modelBrotli: bytes.model.brotli,
  },
  seconds: Math.round((performance.now() - started) / 1000),
};

const ours = (engine: string) => `[${engine}]`;
const rows: Array<[string, string, string]> = [
  [
    'node.predictP50Ms / P99Ms',
    `${node.predictP50Ms} / ${node.predictP99Ms}`,
    `${ours(node.engine)} one predict: validation + features + model`,
  ],
  ...Object.entries(node.batchRecordsPerSec).map(([n, v]): [string, string, string] => [
    `node.batchRecordsPerSec[${n}]`,
    String(v),
    `${ours(node.engine)} predictBatch, records/s`,
  ]),
  ['node.ortNodeRecordsPerSec', String(node.ortNodeRecordsPerSec), '[onnxruntime-node] same model and matrix (reference)'],
  ['node.ortWebRecordsPerSec', String(node.ortWebRecordsPerSec), '[onnxruntime-web] wasm alone, same matrix (reference)'],
  [
    'node.viaOnnxruntimeRecordsPerSec',
    String(node.viaOnnxruntimeRecordsPerSec),
    "[onnxruntime] featurecast's predictBatch 100,000 with engine 'onnxruntime'",
  ],
  ['node.vsOrtNode', String(node.vsOrtNode), `${ours(node.engine)} featurecast / native at 100,000 (target ≥ 1.0)`],
  ['node.monitorOverhead', String(node.monitorOverhead), 'monitoring on vs off at 100,000 (target ≤ 0.05)'],
  [
    'browser.firstPredictionBytes',
    String(browser.firstPredictionBytes),
    `${ours(browser.engine)} brotli bytes a first visit fetched before its first answer (target ≤ 81,920): ${browser.firstPredictionFiles.join(', ')}`,
  ],
  [
    'browser.coldStartColdMs',
    String(browser.coldStartColdMs),
    `${ours(browser.engine)} createPredictor → first answer, empty cache (target ≤ 400)`,
  ],
  [
    'browser.coldStartWarmMs',
    String(browser.coldStartWarmMs),
    `${ours(browser.engine)} same, on a later visit: warm HTTP cache and Cache API (target ≤ 150)`,
  ],
  [
    'browser.ortColdStartWarmMs',
    String(browser.ortColdStartWarmMs),
    '[onnxruntime-web] reference: onnxruntime alone in a worker, warm HTTP cache',
  ],
  ['browser.ortSessionMs', String(browser.ortSessionMs), '[onnxruntime-web] reference: its session alone (onnxruntime already running)'],
  [
    'browser.roundTripP50Ms / P99Ms',
    `${browser.roundTripP50Ms} / ${browser.roundTripP99Ms}`,
    `${ours(browser.engine)} predict main → worker → main, median of pages (target ≤ 0.12 / 1); p99 per page ${browser.roundTripP99PerPageMs.join(', ')}`,
  ],
  [
    'browser.ortRoundTripP50Ms / P99Ms',
    `${browser.ortRoundTripP50Ms} / ${browser.ortRoundTripP99Ms}`,
    `[onnxruntime-web] reference: one pre-encoded row, raw postMessage; p99 per page ${browser.ortRoundTripP99PerPageMs.join(', ')}`,
  ],
  [
    'browser.batch100kRecordsPerSec',
    String(browser.batch100kRecordsPerSec),
    `${ours(browser.engine)} predictBatch 100,000 in the worker (target ≥ 1.0× the next row)`,
  ],
  [
    'browser.ortBatch100kRowsPerSec',
    String(browser.ortBatch100kRowsPerSec),
    '[onnxruntime-web] reference: onnxruntime alone, pre-encoded rows',
  ],
  ['browser.longestMainThreadTaskMs', String(browser.longestMainThreadTaskMs), 'longest main-thread stall during it (target ≤ 50)'],
  [
    'browser.hourly336P50Ms / P99Ms',
    `${browser.hourly336P50Ms} / ${browser.hourly336P99Ms}`,
    'bike-hourly: 14 days × 24 hours in one predictBatch in the worker (target ≤ 50)',
  ],
  ['browser.objectsOnlyLongestTaskMs', String(browser.objectsOnlyLongestTaskMs), 'reference: only building its result objects'],
  ['server.rps1 / p99Ms1', `${server.rps1} / ${server.p99Ms1}`, 'POST /predict, 1 record, 4 connections (target ≥ 3,300 / ≤ 5)'],
  ['server.rps100 / p99Ms100', `${server.rps100} / ${server.p99Ms100}`, 'POST /predict, 100 records'],
  ['bytes.jsBrotli', String(bytes.js.brotli), `our JS, main ${bytes.jsMain.brotli} + worker ${bytes.jsWorker.brotli} (budget 40,960)`],
  ['bytes.wasmBrotli', String(wasm.brotli), `onnxruntime wasm (raw ${wasm.raw})`],
  ['bytes.modelRaw', String(bytes.model.raw), `model.onnx (brotli ${bytes.model.brotli}; budget 204,800)`],
];
const width = Math.max(...rows.map((r) => r[0].length));
const valueWidth = Math.max(...rows.map((r) => r[1].length));
for (const [name, value, note] of rows) say(`${name.padEnd(width)}  ${value.padStart(valueWidth)}  ${note}`);
say(`(${result.seconds} s)`);
if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);

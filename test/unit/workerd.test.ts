import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchHandler } from '../../src/server/handler.js';
import { serve, type ServeHandle } from '../../src/server/node.js';
import { makecalcRoute } from '../../models/bike-daily/makecalc.js';
import { uciToRecord } from '../../models/bike-daily/uci.js';
import { readDayCsv } from '../../models/bike-daily/data.js';
import { readmeWorker } from '../fixtures/readme.js';
import { bikePredictor, SEED_ROW } from '../fixtures/server-tools.js';

/**
 * The fetch handler on an edge platform: the README's Cloudflare Workers script (the bike model and
 * its makecalc route, bundle embedded) built with esbuild and run by workerd, Cloudflare's Workers
 * runtime, through miniflare on 127.0.0.1. Every answer must equal the Node server's, byte for byte.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The newest date this workerd (1.20260426) knows is 2026-04-26. */
const COMPATIBILITY_DATE = '2026-04-01';

/** The package's public entries, from its sources: what the exports map gives after `npm run build`, without needing dist/. */
const featurecastSources: Plugin = {
  name: 'featurecast-sources',
  setup(b) {
    b.onResolve({ filter: /^featurecast(\/|$)/ }, ({ path }) => {
      if (path === 'featurecast') return { path: join(ROOT, 'src/index.ts') };
      if (path === 'featurecast/bike-daily') return { path: join(ROOT, 'models/bike-daily/index.ts') };
      const file = /^featurecast\/models\/bike-daily\/([\w.-]+)$/.exec(path)?.[1];
      return file ? { path: join(ROOT, 'models/bike-daily', file) } : undefined;
    });
  },
};

interface WorkerScript {
  /** Every module esbuild wrote, the entry first, as miniflare takes them. */
  modules: Array<{ type: 'ESModule'; path: string; contents: string }>;
  /** The chunks that import onnxruntime-web. */
  ort: string[];
  /** All the others: what workerd loads to run a tree model. */
  trees: string[];
  /** How the outputs import `path`: `import-statement`, `dynamic-import`. */
  importedAs(path: string): string[];
  read(path: string): string;
}

/**
 * The worker as esbuild bundles it: ESM for workerd's conditions, model.onnx as bytes, manifest.json
 * as an object. onnxruntime-web stays external, and `splitting` keeps featurecast's dynamic import of
 * it a separate chunk: without splitting, esbuild inlines that chunk and hoists its static
 * `import … from 'onnxruntime-web/wasm'` into the script, which workerd then fails to start on.
 */
async function buildWorker(outdir: string): Promise<WorkerScript> {
  // The README's own Workers script, so the sample users copy is the one that runs here.
  mkdirSync(join(outdir, 'src'));
  const source = join(outdir, 'src', 'worker.ts');
  writeFileSync(source, readmeWorker());
  const result = await build({
    entryPoints: { worker: source },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    loader: { '.onnx': 'binary' },
    external: ['onnxruntime-web', 'onnxruntime-web/*'],
    plugins: [featurecastSources],
    metafile: true,
    absWorkingDir: ROOT,
    logLevel: 'silent',
  });
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((path) => outputs[path]!.entryPoint !== undefined)!;
  const files = [entry, ...Object.keys(outputs).filter((path) => path !== entry && path.endsWith('.js'))];
  const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
  const ort = files.filter((path) => outputs[path]!.imports.some((i) => i.path.startsWith('onnxruntime-web')));
  return {
    modules: files.map((path) => ({ type: 'ESModule', path: join(ROOT, path), contents: read(path) })),
    ort,
    trees: files.filter((path) => !ort.includes(path)),
    importedAs: (target) => files.flatMap((path) => outputs[path]!.imports.filter((i) => i.path === target).map((i) => i.kind)),
    read,
  };
}

const predictor = bikePredictor();
const days = readDayCsv();
let outdir: string;
let script: WorkerScript;
let mf: Miniflare | undefined;
let workerd: string;
let node: ServeHandle | undefined;

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'featurecast-workerd-'));
  script = await buildWorker(outdir);
  mf = new Miniflare({ modules: script.modules, modulesRoot: outdir, host: '127.0.0.1', port: 0, compatibilityDate: COMPATIBILITY_DATE });
  // workerd starts in a second or two, longer on a loaded 2-core machine.
  workerd = (await mf.ready).origin;
  node = await serve(createFetchHandler(predictor(), { routes: { '/api/makecalc': makecalcRoute } }), { host: '127.0.0.1', port: 0 });
}, 180_000);

afterAll(async () => {
  await node?.close();
  await mf?.dispose();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
}, 60_000);

describe('the worker script', () => {
  it("holds no onnxruntime: only featurecast's own ort chunk imports it, dynamically, for non-tree models", () => {
    expect(script.ort).toHaveLength(1);
    const [ortChunk] = script.ort as [string];
    expect(script.importedAs(ortChunk)).toEqual(['dynamic-import']);
    // featurecast's engine names and messages say "onnxruntime"; onnxruntime-web's module and API must not appear.
    const code = script.trees.map(script.read).join('\n');
    expect(code).not.toMatch(/onnxruntime-web|InferenceSession|ort-wasm|\bwasmBinary\b/);
    const bytes = Buffer.from(code);
    console.info(
      `workerd script for a tree model: ${bytes.byteLength} bytes, ${gzipSync(bytes, { level: 9 }).byteLength} gzip, in ${script.trees.length} modules ` +
        `(model.onnx embedded as base64); unused ${ortChunk.split('/').pop()}: ${script.read(ortChunk).length} bytes`,
    );
  });
});

/** What both servers answer to the same request. */
interface Answer {
  status: number;
  contentType: string | null;
  allow: string | null;
  body: string;
}

async function ask(origin: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${origin}${path}`, init);
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    allow: response.headers.get('allow'),
    body: await response.text(),
  };
}

const JSON_POST = (
  body: string | Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): RequestInit => ({ method: 'POST', headers, body });
const records = days.slice(0, 40).map(uciToRecord);
const [first, second] = records;
/** Five UCI days without their counts, keyed as the seed's client keys them (any row indices). */
const seedRows = Object.fromEntries(
  days.slice(0, 5).map((day, i) => {
    const { casual: _c, registered: _r, cnt: _n, ...row } = day as typeof day & { casual: number; registered: number };
    return [String(i * 7), row];
  }),
);

describe('workerd answers exactly as the Node server (real HTTP on 127.0.0.1)', () => {
  // Not compared here: a body above maxBodyBytes. Both servers answer 413 and close before the
  // client has sent it all, and the client's write then races the reset (ECONNRESET in CI); the
  // Node server's answer is tested in server.test.ts and http-corpus.test.ts.
  it.each<[string, string, RequestInit | undefined, number]>([
    ['GET /health', '/health', undefined, 200],
    ['HEAD /health', '/health', { method: 'HEAD' }, 200],
    ['GET /model', '/model', undefined, 200],
    ['POST /predict, one record', '/predict', JSON_POST(JSON.stringify(first)), 200],
    ['POST /predict, a batch', '/predict', JSON_POST(JSON.stringify(records)), 200],
    [
      'POST /predict, a batch with invalid records (400, every issue)',
      '/predict',
      JSON_POST(JSON.stringify([first, { ...second, humidity: 'wet', weather: 'sunny' }, { date: 'never' }])),
      400,
    ],
    ['POST /predict, bad JSON', '/predict', JSON_POST('{"date": '), 400],
    ['POST /predict, bytes that are not UTF-8', '/predict', JSON_POST(new Uint8Array([0x7b, 0xff, 0x7d])), 400],
    ['POST /predict, not declared as JSON (415)', '/predict', JSON_POST('{}', { 'content-type': 'text/plain' }), 415],
    ['POST /predict, above maxBatchSize (413)', '/predict', JSON_POST(JSON.stringify(Array.from({ length: 10_001 }, () => ({})))), 413],
    ['GET /predict (405, Allow)', '/predict', undefined, 405],
    ['GET /nope (404)', '/nope', undefined, 404],
    ['POST /api/makecalc/, the seed row', '/api/makecalc/', JSON_POST(JSON.stringify({ 0: SEED_ROW })), 200],
    ['POST /api/makecalc/, rows by key', '/api/makecalc/', JSON_POST(JSON.stringify(seedRows)), 200],
    [
      'POST /api/makecalc/, an invalid row (400 by key and column)',
      '/api/makecalc/',
      JSON_POST(JSON.stringify({ 3: { ...SEED_ROW, hum: 'wet' } })),
      400,
    ],
    ['GET /api/makecalc/ (405, Allow)', '/api/makecalc/', undefined, 405],
  ])('%s', async (_, path, init, status) => {
    const [fromWorkerd, fromNode] = await Promise.all([ask(workerd, path, init), ask(node!.url, path, init)]);
    expect(fromNode.status).toBe(status);
    // Status, content type, Allow and the body, byte for byte: no field of these answers depends on time or the host.
    expect(fromWorkerd).toEqual(fromNode);
  });

  // A single TreeEnsembleRegressor loads without onnxruntime, in workerd and in Node alike.
  it("runs the bike model on the built-in tree engine (info.engine 'trees')", async () => {
    const fromWorkerd = await ask(workerd, '/model');
    expect(fromWorkerd.status).toBe(200);
    expect((JSON.parse(fromWorkerd.body) as { engine: string }).engine).toBe('trees');
    expect(predictor().info.engine).toBe('trees');
  });
});

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * Bytes a page downloads: our JS (what an app that calls createPredictor gets, main thread and
 * worker, minified, with comlink and zod, without onnxruntime-web and its on-demand glue),
 * onnxruntime's wasm and the model; raw, gzip and brotli. Bundled from src/ with esbuild, as an app's bundler would.
 */

export interface Sizes {
  raw: number;
  gzip: number;
  brotli: number;
}

export interface ByteFigures {
  js: Sizes;
  jsMain: Sizes;
  jsWorker: Sizes;
  /** Undefined unless asked for: brotli at quality 11 on 14 MB takes ~30 s, so it is kept (see `storedSizes`). */
  wasm: Sizes | undefined;
  model: Sizes;
  manifest: Sizes;
}

export function sizes(bytes: Uint8Array): Sizes {
  return {
    raw: bytes.byteLength,
    gzip: gzipSync(bytes, { level: 9 }).byteLength,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength,
  };
}

async function bundle(entry: { contents: string } | { file: string }): Promise<Uint8Array> {
  const result = await build({
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.contents, resolveDir: process.cwd(), loader: 'ts' as const } }),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    // The worker is a separate file the bundler emits; the inline engine a lazy chunk. Neither is in the main bundle.
    // onnxruntime's glue (engines/ort.js) is a lazy chunk too, fetched only for a model the tree engine cannot run.
    external: ['onnxruntime-web', 'onnxruntime-web/*', './worker.js', './engine/core.js', './ort.js', 'node:*'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents;
}

export async function measureBytes(options: { wasm?: boolean } = {}): Promise<ByteFigures> {
  const main = await bundle({ contents: `export { createPredictor } from './src/index.ts';` });
  // An entry point, not an import: package.json says sideEffects false, so an import would be dropped.
  const worker = await bundle({ file: 'src/engine/transport/worker.ts' });
  const both = new Uint8Array(main.byteLength + worker.byteLength);
  both.set(main);
  both.set(worker, main.byteLength);
  const jsMain = sizes(main);
  const jsWorker = sizes(worker);
  return {
    js: { raw: both.byteLength, gzip: jsMain.gzip + jsWorker.gzip, brotli: jsMain.brotli + jsWorker.brotli },
    jsMain,
    jsWorker,
    wasm: options.wasm ? storedSizes(readFileSync('node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm')) : undefined,
    model: sizes(readFileSync('models/bike-daily/model.onnx')),
    manifest: sizes(readFileSync('models/bike-daily/manifest.json')),
  };
}

/** `sizes`, kept in node_modules/.cache by content hash: the same bytes always compress alike. */
function storedSizes(bytes: Uint8Array): Sizes {
  const dir = 'node_modules/.cache/featurecast-bench';
  const file = `${dir}/${createHash('sha256').update(bytes).digest('hex')}.json`;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Sizes;
  } catch {
    const measured = sizes(bytes);
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(measured));
    return measured;
  }
}

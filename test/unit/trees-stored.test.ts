import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/onnx/model.js';
import { ensembleStore, readKeptEnsemble, readTreeEnsemble, type TreeEnsemble } from '../../src/engine/engines/trees/index.js';

/**
 * The kept-ensemble store's own logic (encoding, digest, spec check, eviction) against an
 * in-memory stand-in for the Cache API, which Node lacks; test/e2e/warm-start.spec.ts runs it on
 * Chromium's real one.
 */

const manifest = JSON.parse(readFileSync(new URL('../../models/bike-daily/manifest.json', import.meta.url), 'utf8'));
const spec = { inputName: manifest.model.inputName, outputName: manifest.model.outputName, width: manifest.model.columns.length };
const ensemble = readTreeEnsemble(
  decodeModel(readFileSync(new URL('../../models/bike-daily/model.onnx', import.meta.url))),
  spec,
) as TreeEnsemble;
const url = 'https://example.test/models/model.onnx';

class MemoryCache {
  readonly entries = new Map<string, Uint8Array>();
  async match(key: string) {
    const bytes = this.entries.get(key);
    return bytes && new Response(bytes.slice());
  }
  async put(key: string, response: Response) {
    this.entries.set(key, new Uint8Array(await response.arrayBuffer()));
  }
  async delete(key: string | Request) {
    return this.entries.delete(typeof key === 'string' ? key : key.url);
  }
  async keys() {
    return [...this.entries.keys()].map((k) => new Request(k));
  }
}

let cache: MemoryCache;
beforeEach(() => {
  cache = new MemoryCache();
  (globalThis as { caches?: unknown }).caches = { open: async () => cache };
});
afterEach(() => {
  delete (globalThis as { caches?: unknown }).caches;
});

describe('the kept-ensemble store', () => {
  it('gives back the ensemble it kept, array for array', async () => {
    const store = ensembleStore(url, manifest.model.sha256, {});
    expect(await store.read(spec)).toBeUndefined();
    await store.keep(ensemble, spec);
    expect(await store.read(spec)).toEqual(ensemble);
    // The page reads the bytes and hands them over: same answer.
    const bytes = await readKeptEnsemble(url, manifest.model.sha256, {});
    expect(await store.read(spec, bytes)).toEqual(ensemble);
    expect(await store.read(spec, null)).toBeUndefined();
  });

  it('answers nothing for another input, output or width, or another model', async () => {
    await ensembleStore(url, manifest.model.sha256, {}).keep(ensemble, spec);
    const store = ensembleStore(url, manifest.model.sha256, {});
    expect(await store.read({ ...spec, width: spec.width + 1 })).toBeUndefined();
    expect(await store.read({ ...spec, inputName: 'other' })).toBeUndefined();
    expect(await ensembleStore(url, 'f'.repeat(64), {}).read(spec)).toBeUndefined();
  });

  it('drops an entry whose bytes were damaged, whichever byte it is', async () => {
    const store = ensembleStore(url, manifest.model.sha256, {});
    await store.keep(ensemble, spec);
    const [key, good] = [...cache.entries][0]!;
    for (const at of [0, 40, Math.floor(good.length / 2), good.length - 1]) {
      const bad = good.slice();
      bad[at]! ^= 0x01;
      cache.entries.set(key, bad);
      expect(await store.read(spec)).toBeUndefined();
      expect(cache.entries.has(key)).toBe(false);
    }
    cache.entries.set(key, good.slice(0, good.length - 8));
    expect(await store.read(spec)).toBeUndefined();
  });

  it("a new model's ensemble evicts the old model's, and keeps other files' entries", async () => {
    await ensembleStore(url, manifest.model.sha256, {}).keep(ensemble, spec);
    await ensembleStore('https://example.test/other/model.onnx', manifest.model.sha256, {}).keep(ensemble, spec);
    await ensembleStore(url, 'f'.repeat(64), {}).keep(ensemble, spec);
    const keys = [...cache.entries.keys()];
    expect(keys).toHaveLength(2);
    expect(keys.filter((k) => k.startsWith(url))).toEqual([expect.stringContaining(`featurecast-trees=1-${'f'.repeat(64)}`)]);
  });

  it('with cache: false, keeps and reads nothing', async () => {
    const store = ensembleStore(url, manifest.model.sha256, { cache: false });
    await store.keep(ensemble, spec);
    expect(cache.entries.size).toBe(0);
    expect(await store.read(spec)).toBeUndefined();
  });
});

/**
 * HTTP fetch with the Cache API beside it. The model is immutable per sha256, so it is served
 * cache-first under a key that carries the hash: a new model version misses, is fetched, and
 * evicts the old one. The manifest is network-first and falls back to the cache offline.
 * onnxruntime's wasm is kept cache-first too, by onnxruntime's version (`runtimeCache`).
 * Any cache failure (quota, private mode, no Cache API) silently means "use the network".
 */

export interface CacheOptions {
  /** Use the Cache API where it exists. Default true. */
  cache?: boolean | undefined;
  /** Cache name; change it to isolate apps on one origin. Default `featurecast-v1`. */
  cacheName?: string | undefined;
  /** A fetch implementation (tests, custom auth). Default `globalThis.fetch`. */
  fetch?: typeof fetch | undefined;
}

interface FetchOptions extends CacheOptions {
  /** The sha256 the body must have; makes the response cacheable cache-first. */
  cacheKey?: string | undefined;
  cacheable: boolean;
}

const DEFAULT_CACHE = 'featurecast-v1';

async function openCache(options: CacheOptions): Promise<Cache | undefined> {
  if (options.cache === false || typeof caches === 'undefined') return undefined;
  try {
    return await caches.open(options.cacheName ?? DEFAULT_CACHE);
  } catch {
    return undefined;
  }
}

function keyed(url: string, sha256: string): string {
  const u = new URL(url);
  u.searchParams.set('featurecast-sha256', sha256);
  return u.href;
}

async function quietly<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch {
    return undefined;
  }
}

export async function cachedFetch(url: string, options: FetchOptions): Promise<Response> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const cache = await openCache(options);
  if (!cache) return doFetch(url);

  if (options.cacheable && options.cacheKey) {
    const key = keyed(url, options.cacheKey);
    const hit = await quietly(() => cache.match(key));
    if (hit) return hit;
    const response = await doFetch(url);
    if (response.ok) {
      await quietly(async () => {
        for (const old of await cache.keys()) {
          const oldUrl = new URL(old.url);
          oldUrl.searchParams.delete('featurecast-sha256');
          if (oldUrl.href === url && old.url !== key) await cache.delete(old);
        }
        await cache.put(key, response.clone());
      });
    }
    return response;
  }

  try {
    const response = await doFetch(url);
    if (response.ok) await quietly(() => cache.put(url, response.clone()));
    return response;
  } catch (offline) {
    const hit = await quietly(() => cache.match(url));
    if (hit) return hit;
    throw offline;
  }
}

/** Drops the copy of `url` cached under `sha256`: called when those bytes failed verification. */
export async function forgetCached(url: string, sha256: string, options: CacheOptions): Promise<void> {
  const cache = await openCache(options);
  if (cache) await quietly(() => cache.delete(keyed(url, sha256)));
}

/** Where a runtime wasm is kept between visits (see `runtimeCache`). */
export interface RuntimeCache {
  /** False where there is no Cache API, or with `cache: false`. */
  available(): Promise<boolean>;
  match(url: string): Promise<Response | undefined>;
  /** Stores `response`, reading its body, and evicts any other runtime. */
  put(url: string, response: Response): Promise<void>;
  forget(url: string): Promise<void>;
}

const RUNTIME_PARAM = 'featurecast-runtime';

/**
 * onnxruntime's wasm (~14 MB) in the Cache API, keyed by its URL and onnxruntime's `version`
 * (the JS that loads it must be the same release). Chromium reads it from there several times
 * faster than from its HTTP cache, which may not keep a 14 MB entry at all (docs/performance.md);
 * compiling is no faster from either, so the read is what a visit can save. One runtime is kept: a new one evicts the old.
 */
export function runtimeCache(version: string, options: CacheOptions): RuntimeCache {
  // Opened once: a start-up asks it up to four times (available, match, put, match again).
  let opened: Promise<Cache | undefined> | undefined;
  const open = () => (opened ??= openCache(options));
  const key = (url: string) => {
    const u = new URL(url);
    u.searchParams.set(RUNTIME_PARAM, version);
    return u.href;
  };
  return {
    async available() {
      return (await open()) !== undefined;
    },
    async match(url) {
      const cache = await open();
      return cache && quietly(() => cache.match(key(url)));
    },
    async put(url, response) {
      const cache = await open();
      if (!cache) return;
      await quietly(async () => {
        await cache.put(key(url), response);
        for (const old of await cache.keys()) {
          if (new URL(old.url).searchParams.has(RUNTIME_PARAM) && old.url !== key(url)) await cache.delete(old);
        }
      });
    },
    async forget(url) {
      const cache = await open();
      if (cache) await quietly(() => cache.delete(key(url)));
    },
  };
}

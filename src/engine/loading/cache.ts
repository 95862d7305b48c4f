/**
 * HTTP fetch with the Cache API beside it. The model is immutable per sha256, so it is served
 * cache-first under a key that carries the hash, and kept only once it has passed verification: a
 * new model version misses, is fetched, and evicts the old one. The manifest is network-first and
 * falls back to the cache offline. onnxruntime's wasm is kept cache-first too, by onnxruntime's
 * version (`runtimeCache`), and what is computed from a model beside the model's URL
 * (`versionedCache`). Any cache failure (quota, private mode, no Cache API) silently means "use the
 * network".
 */

export interface CacheOptions {
  /** Use the Cache API where it exists. Default true. */
  cache?: boolean | undefined;
  /** Cache name; change it to isolate apps on one origin. Default `featurecast-v1`. */
  cacheName?: string | undefined;
  /** A fetch implementation (tests, custom auth). Default `globalThis.fetch`. */
  fetch?: typeof fetch | undefined;
}

const DEFAULT_CACHE = 'featurecast-v1';

/** Cache writes not awaited by the load that started them; a worker waits for them before it is terminated, or they would be lost. */
const writing = new Set<Promise<unknown>>();

/** Runs a cache write without making anyone wait for it, except `writesSettled`. */
export function inBackground(write: Promise<unknown>): void {
  const tracked: Promise<unknown> = write.catch(() => {}).finally(() => writing.delete(tracked));
  writing.add(tracked);
}

export async function writesSettled(): Promise<void> {
  await Promise.all(writing);
}

async function openCache(options: CacheOptions): Promise<Cache | undefined> {
  if (options.cache === false || typeof caches === 'undefined') return undefined;
  try {
    return await caches.open(options.cacheName ?? DEFAULT_CACHE);
  } catch {
    return undefined;
  }
}

async function quietly<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch {
    return undefined;
  }
}

/** Network-first fetch (the manifest), falling back to the copy kept from an earlier visit when offline. */
export async function cachedFetch(url: string, options: CacheOptions): Promise<Response> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const cache = await openCache(options);
  if (!cache) return doFetch(url);
  try {
    const response = await doFetch(url);
    // Not awaited: the copy is for a later visit offline.
    if (response.ok) inBackground(cache.put(url, response.clone()));
    return response;
  } catch (offline) {
    const hit = await quietly(() => cache.match(url));
    if (hit) return hit;
    throw offline;
  }
}

/** Stores what the page fetched of `url` (network-first, like `cachedFetch`), for an offline visit. */
export async function keepFetched(url: string, bytes: Uint8Array, options: CacheOptions): Promise<void> {
  const cache = await openCache(options);
  if (cache) await quietly(() => cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>)));
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

/** Versions of what is kept for one URL (see `versionedCache`). */
export interface VersionedCache {
  match(url: string, version: string): Promise<Response | undefined>;
  /** Stores what `bytes` gives (only where there is a cache to store it in) and evicts the other versions kept for `url`. */
  keep(url: string, version: string, bytes: () => Uint8Array | Promise<Uint8Array>): Promise<void>;
  forget(url: string, version: string): Promise<void>;
}

/**
 * Entries kept under a download's URL with `param` set to a version: the verified model under its
 * sha256 (`modelCache`), and what is computed from it under what it was computed from and how
 * (trees/stored.ts). A new version evicts the others of its URL.
 */
export function versionedCache(param: string, options: CacheOptions): VersionedCache {
  let opened: Promise<Cache | undefined> | undefined;
  const open = () => (opened ??= openCache(options));
  const key = (url: string, version: string) => {
    const u = new URL(url);
    u.searchParams.set(param, version);
    return u.href;
  };
  return {
    async match(url, version) {
      const cache = await open();
      return cache && quietly(() => cache.match(key(url, version)));
    },
    async keep(url, version, bytes) {
      const cache = await open();
      if (!cache) return;
      await quietly(async () => {
        await cache.put(key(url, version), new Response((await bytes()) as Uint8Array<ArrayBuffer>));
        for (const old of await cache.keys()) {
          const oldUrl = new URL(old.url);
          if (!oldUrl.searchParams.has(param) || old.url === key(url, version)) continue;
          oldUrl.searchParams.delete(param);
          if (oldUrl.href === url) await cache.delete(old);
        }
      });
    },
    async forget(url, version) {
      const cache = await open();
      if (cache) await quietly(() => cache.delete(key(url, version)));
    },
  };
}

/** Model bytes that passed verification, under their sha256. */
export const modelCache = (options: CacheOptions): VersionedCache => versionedCache('featurecast-sha256', options);

/**
 * HTTP fetch with the Cache API beside it. The model is immutable per sha256, so it is served
 * cache-first under a key that carries the hash: a new model version misses, is fetched, and
 * evicts the old one. The manifest is network-first and falls back to the cache offline.
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

/**
 * Remembers that a URL was downloaded before (an empty marker entry in the Cache API). Used for
 * onnxruntime's wasm: counting its bytes on a clone of the response costs Chromium its
 * compiled-code cache (~0.8 s measured on a warm start), so only a first visit is counted.
 */
export const downloads = {
  async seen(url: string, options: CacheOptions): Promise<boolean> {
    const cache = await openCache(options);
    return Boolean(cache && (await quietly(() => cache.match(seenKey(url)))));
  },
  async remember(url: string, options: CacheOptions): Promise<void> {
    const cache = await openCache(options);
    if (cache) await quietly(() => cache.put(seenKey(url), new Response('')));
  },
};

function seenKey(url: string): string {
  const u = new URL(url);
  u.searchParams.set('featurecast-seen', '1');
  return u.href;
}

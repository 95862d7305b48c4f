import { BundleError } from '../../errors.js';
import { parseManifest } from '../../schema/parse.js';
import type { Manifest } from '../../schema/manifest.js';
import { digest, readBody } from './bytes.js';
import { cachedFetch, inBackground, keepFetched, modelCache, type CacheOptions } from './cache.js';
import type { Prefetched } from './prefetch.js';
import { isUrl, isUrls, siblingOf, type BundleSource, type LoadProgress } from './source.js';

/**
 * Loading a bundle (manifest.json + model.onnx) from a URL, a file path (Node) or memory, with
 * progress, an optional SRI hash for the manifest, and the model's sha256 checked before any
 * session exists.
 */

export interface LoadOptions extends CacheOptions {
  onProgress?: ((progress: LoadProgress) => void) | undefined;
  /** SRI-style hash of manifest.json, e.g. `sha256-<base64>`. */
  integrity?: string | undefined;
  /** What the page fetched already (prefetch.ts); the page reported its progress. */
  prefetched?: Prefetched | undefined;
}

/** A bundle whose manifest is read and checked; its model is read when asked for (a stored tree ensemble may make that unnecessary). */
export interface OpenedBundle {
  manifest: Manifest;
  /** Manifest location, when loaded from one. */
  url?: string | undefined;
  /** The model's http(s) location, when it is downloaded (and may be cached). */
  modelUrl?: string | undefined;
  /** The kept tree ensemble's bytes as the page read them (prefetch.ts); null: it found none; absent: not looked for. */
  keptEnsemble?: ArrayBuffer | null | undefined;
  /** The model's bytes, checked against the manifest's size and sha256. */
  readModel(): Promise<Uint8Array>;
}

export async function openBundle(source: BundleSource, options: LoadOptions = {}): Promise<OpenedBundle> {
  const progress = options.onProgress ?? (() => {});
  if (typeof source === 'object' && !(source instanceof URL) && !isUrls(source)) {
    const manifest = parseManifest(source.manifest, 'the given bundle');
    const model = source.model instanceof Uint8Array ? source.model : new Uint8Array(source.model);
    return {
      manifest,
      async readModel() {
        await verifyModel(model, manifest, 'the given bundle', progress);
        return model;
      },
    };
  }
  const url = isUrls(source) ? String(source.manifest) : String(source);
  const { prefetched } = options;
  const given = prefetched?.manifest;
  if (given instanceof Uint8Array) inBackground(keepFetched(url, given, options));
  const manifestBytes =
    given instanceof Uint8Array
      ? given
      : await readBytes(
          url,
          // Refused when the page asked: the same answer, reported as if the worker had asked.
          async () => (given ? new Response(null, given) : cachedFetch(url, options)),
          (loaded, total) => progress({ stage: 'manifest', loaded, total, url }),
        );
  if (options.integrity) await checkIntegrity(manifestBytes, options.integrity, url);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(manifestBytes));
  } catch (cause) {
    throw new BundleError('ERR_BUNDLE_INVALID', `Manifest at ${url} is not valid JSON: ${(cause as Error).message}`, { url });
  }
  const manifest = parseManifest(json, url);
  const modelUrl = isUrls(source) ? String(source.model) : siblingOf(url, manifest.model.file);
  const downloaded = isUrl(modelUrl) && !modelUrl.startsWith('file:');
  return {
    manifest,
    url,
    modelUrl: downloaded ? modelUrl : undefined,
    keptEnsemble: prefetched?.ensemble,
    async readModel() {
      const { sha256 } = manifest.model;
      const given = prefetched?.model;
      const fetched = given && 'bytes' in given ? given : undefined;
      const refused = given && 'status' in given ? given : undefined;
      const models = modelCache(options);
      const match = given || !downloaded ? undefined : await models.match(modelUrl, sha256);
      const kept = fetched ? fetched.kept : match !== undefined;
      const model =
        fetched?.bytes ??
        (await readBytes(
          modelUrl,
          async () => (refused ? new Response(null, refused) : (match ?? (options.fetch ?? globalThis.fetch)(modelUrl))),
          (loaded, total) => progress({ stage: 'model', loaded, total: total ?? manifest.model.bytes, url: modelUrl }),
        ));
      try {
        await verifyModel(model, manifest, modelUrl, progress);
      } catch (error) {
        // A kept copy that no longer verifies (damaged storage) must not fail every later load.
        if (kept) await models.forget(modelUrl, sha256);
        throw error;
      }
      // Not awaited: the first prediction need not wait for the cache.
      if (downloaded && !kept) inBackground(models.keep(modelUrl, sha256, () => model));
      return model;
    },
  };
}

/** Reads a file (Node) or the response `request` gives for a URL, with progress. */
async function readBytes(
  location: string,
  request: () => Promise<Response>,
  onBytes: (loaded: number, total: number | undefined) => void,
): Promise<Uint8Array> {
  if (!isUrl(location) || location.startsWith('file:')) return readFileInNode(location, onBytes);
  let response: Response;
  try {
    response = await request();
  } catch (cause) {
    throw new BundleError('ERR_BUNDLE_FETCH', `Could not load ${location}: ${(cause as Error).message}`, { url: location });
  }
  if (!response.ok) {
    throw new BundleError('ERR_BUNDLE_FETCH', `Could not load ${location}: HTTP ${response.status} ${response.statusText}`.trim(), {
      url: location,
      status: response.status,
    });
  }
  try {
    return await readBody(response, onBytes);
  } catch (cause) {
    const { loaded } = cause as { loaded?: number };
    throw new BundleError('ERR_BUNDLE_FETCH', `Download of ${location} failed after ${loaded ?? 0} bytes: ${(cause as Error).message}`, {
      url: location,
    });
  }
}

async function readFileInNode(location: string, onBytes: (loaded: number, total: number | undefined) => void): Promise<Uint8Array> {
  const fsSpecifier = 'node:fs/promises';
  const urlSpecifier = 'node:url';
  try {
    const { readFile } = (await import(/* @vite-ignore */ fsSpecifier)) as typeof import('node:fs/promises');
    const { fileURLToPath } = (await import(/* @vite-ignore */ urlSpecifier)) as typeof import('node:url');
    const bytes = new Uint8Array(await readFile(location.startsWith('file:') ? fileURLToPath(location) : location));
    onBytes(bytes.byteLength, bytes.byteLength);
    return bytes;
  } catch (cause) {
    throw new BundleError('ERR_BUNDLE_FETCH', `Could not read ${location}: ${(cause as Error).message}`, { url: location });
  }
}

async function verifyModel(model: Uint8Array, manifest: Manifest, where: string, progress: (p: LoadProgress) => void): Promise<void> {
  progress({ stage: 'verify', loaded: model.byteLength, total: manifest.model.bytes, url: where });
  if (model.byteLength !== manifest.model.bytes) {
    throw new BundleError(
      'ERR_BUNDLE_INTEGRITY',
      `Model from ${where} has ${model.byteLength} bytes, the manifest says ${manifest.model.bytes} (truncated or wrong file)`,
      { url: where, bytes: model.byteLength, expected: manifest.model.bytes },
    );
  }
  const actual = toHex(await digest(model));
  if (actual !== manifest.model.sha256) {
    throw new BundleError('ERR_BUNDLE_INTEGRITY', `Model from ${where} has sha256 ${actual}, the manifest pins ${manifest.model.sha256}`, {
      url: where,
      sha256: actual,
      expected: manifest.model.sha256,
    });
  }
}

async function checkIntegrity(bytes: Uint8Array, integrity: string, url: string): Promise<void> {
  const match = /^(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})$/.exec(integrity.trim());
  if (!match)
    throw new BundleError(
      'ERR_BUNDLE_INTEGRITY',
      `Unsupported integrity value "${integrity}" (expected sha256-, sha384- or sha512-<base64>)`,
      { url },
    );
  const algorithm = `SHA-${match[1]!.slice(3)}`;
  const actual = toBase64(await digest(bytes, algorithm));
  if (actual !== match[2]) {
    throw new BundleError('ERR_BUNDLE_INTEGRITY', `Manifest at ${url} does not match its integrity hash ${integrity}`, {
      url,
      integrity,
      actual: `${match[1]}-${actual}`,
    });
  }
}

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

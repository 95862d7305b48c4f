/** Where a bundle comes from, and resolving it on the caller's side: kept apart from loading, so a page's main thread imports no manifest schema. */

/** A bundle already in memory. */
export interface BundleData {
  manifest: unknown;
  model: Uint8Array | ArrayBuffer;
}

/** Separate locations for manifest and model, e.g. when a bundler renamed the files. */
export interface BundleUrls {
  manifest: string | URL;
  model: string | URL;
}

/** Where a bundle comes from: the manifest's URL or file path (the model sits beside it), both locations, or the bundle itself. */
export type BundleSource = string | URL | BundleUrls | BundleData;

export function isUrls(source: BundleSource): source is BundleUrls {
  return typeof source === 'object' && !(source instanceof URL) && (typeof source.model === 'string' || source.model instanceof URL);
}

export interface LoadProgress {
  /** `runtime`: onnxruntime's wasm, downloaded on the first load in a worker (kept in the Cache API after). */
  stage: 'manifest' | 'model' | 'verify' | 'session' | 'runtime' | 'ready';
  /** Bytes received so far for this stage's file (for `session` and `ready`: the model's size). */
  loaded: number;
  /** Expected bytes, when known. */
  total?: number | undefined;
  url?: string | undefined;
}

const hasScheme = /^[a-z][a-z0-9+.-]*:/i;
/** `C:\\…` looks like a URL scheme but is a Windows file path. */
const windowsPath = /^[a-z]:[\\/]/i;
export const isUrl = (location: string) => hasScheme.test(location) && !windowsPath.test(location);

/** Relative strings are resolved here, on the caller's side, because a worker has another base URL. */
export function resolveSource(source: BundleSource): BundleSource {
  if (isUrls(source)) return { manifest: resolveLocation(source.manifest), model: resolveLocation(source.model) };
  if (typeof source === 'object' && !(source instanceof URL)) return source;
  return resolveLocation(source);
}

/** The model's location when the manifest names it: the manifest's sibling. */
export function siblingOf(manifestUrl: string, file: string): string {
  if (isUrl(manifestUrl)) return new URL(file, manifestUrl).href;
  const slash = manifestUrl.lastIndexOf('/');
  return slash < 0 ? file : `${manifestUrl.slice(0, slash + 1)}${file}`;
}

function resolveLocation(location: string | URL): string {
  if (location instanceof URL) return location.href;
  if (hasScheme.test(location)) return location;
  const base = typeof document !== 'undefined' ? document.baseURI : (globalThis as { location?: Location }).location?.href;
  return base ? new URL(location, base).href : location;
}

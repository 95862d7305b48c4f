import { readKeptEnsemble } from '../engines/trees/index.js';
import { readBody } from './bytes.js';
import { modelCache, type CacheOptions } from './cache.js';
import { isUrls, siblingOf, type BundleSource, type LoadProgress } from './source.js';

/**
 * What the page fetches while its worker starts: a module worker takes tens of milliseconds to
 * boot, and a load would otherwise begin only then. The page reports the download progress; the
 * worker checks everything as it would have checked its own downloads. Whatever fails here is
 * left out, for the worker to fetch and report.
 */
export interface Prefetched {
  /** The manifest's bytes, or the server's refusal (the worker reports it without asking again). */
  manifest: Uint8Array | Refused;
  /** The tree ensemble kept from an earlier load of this model (trees/stored.ts); null: none is kept. Absent: not looked for. */
  ensemble?: ArrayBuffer | null;
  /** The model, when no kept ensemble spares it (`kept`: from the Cache API, where it was kept verified), or its refusal. */
  model?: { bytes: Uint8Array; kept: boolean } | Refused;
}

/** An HTTP status other than 2xx. */
export interface Refused {
  status: number;
  statusText: string;
}

export async function prefetchBundle(
  source: BundleSource,
  options: CacheOptions & { engine?: string | undefined },
  onProgress?: (progress: LoadProgress) => void,
): Promise<Prefetched | undefined> {
  const url = isUrls(source)
    ? String(source.manifest)
    : typeof source === 'object' && !(source instanceof URL)
      ? undefined
      : String(source);
  if (!url || !isHttp(url) || typeof fetch !== 'function') return undefined;
  const manifest = await download(url, undefined, (loaded, total) => onProgress?.({ stage: 'manifest', loaded, total, url }));
  if (!(manifest instanceof Uint8Array)) return manifest && { manifest };
  const model = modelOf(manifest);
  if (!model) return { manifest };
  const modelUrl = isUrls(source) ? String(source.model) : siblingOf(url, model.file);
  if (!isHttp(modelUrl)) return { manifest };
  const ensemble = options.engine === 'onnxruntime' ? undefined : ((await readKeptEnsemble(modelUrl, model.sha256, options)) ?? null);
  if (ensemble) return { manifest, ensemble };
  const kept = await modelCache(options).match(modelUrl, model.sha256);
  const bytes = await download(modelUrl, kept, (loaded, total) =>
    onProgress?.({ stage: 'model', loaded, total: total ?? model.bytes, url: modelUrl }),
  );
  return { manifest, ensemble, model: bytes instanceof Uint8Array ? { bytes, kept: kept !== undefined } : bytes };
}

const isHttp = (url: string) => /^https?:/i.test(url);

/** The body, the refusal's status, or undefined when the network failed (the worker may then fall back to its cache). */
async function download(
  url: string,
  kept: Response | undefined,
  onBytes: (loaded: number, total: number | undefined) => void,
): Promise<Uint8Array | Refused | undefined> {
  try {
    const response = kept ?? (await fetch(url));
    return response.ok ? await readBody(response, onBytes) : { status: response.status, statusText: response.statusText };
  } catch {
    return undefined;
  }
}

/** The manifest's model entry, read loosely: the worker validates the manifest. */
function modelOf(bytes: Uint8Array): { file: string; sha256: string; bytes?: number } | undefined {
  try {
    const model = (JSON.parse(new TextDecoder().decode(bytes)) as { model?: { file?: unknown; sha256?: unknown; bytes?: unknown } }).model;
    if (typeof model?.file !== 'string' || typeof model.sha256 !== 'string') return undefined;
    return { file: model.file, sha256: model.sha256, bytes: typeof model.bytes === 'number' ? model.bytes : undefined };
  } catch {
    return undefined;
  }
}

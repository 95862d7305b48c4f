import { digest } from '../../loading/bytes.js';
import { versionedCache, type CacheOptions, type VersionedCache } from '../../loading/cache.js';
import type { SessionSpec } from '../session.js';
import type { TreeEnsemble } from './ensemble.js';

/**
 * A read ensemble kept in the Cache API beside its model, by the model's sha256: a warm start
 * then skips the model's download, decode and read (most of a start on the tree engine). The
 * ONNX file stays the source of truth; this is a cache of what read.ts made of it, like a code
 * cache. Bump FORMAT when TreeEnsemble or this encoding changes.
 */
const FORMAT = 1;
const PARAM = 'featurecast-trees';

/** Where an ensemble read from one model is kept: `read` answers undefined on any miss, mismatch or damage; `keep` never rejects. */
export interface EnsembleStore {
  /** `kept`: the stored bytes when the page has read them already (prefetch.ts), null when it found none. */
  read(spec: SessionSpec, kept?: ArrayBuffer | null): Promise<TreeEnsemble | undefined>;
  keep(ensemble: TreeEnsemble, spec: SessionSpec): Promise<void>;
}

/** The stored bytes of the ensemble read from this model, if any; for the page, which reads them while its worker starts. */
export function readKeptEnsemble(modelUrl: string, sha256: string, options: CacheOptions): Promise<ArrayBuffer | undefined> {
  return keptBytes(versionedCache(PARAM, options), modelUrl, `${FORMAT}-${sha256}`);
}

async function keptBytes(cache: VersionedCache, modelUrl: string, version: string): Promise<ArrayBuffer | undefined> {
  const hit = await cache.match(modelUrl, version);
  return hit?.arrayBuffer().catch(() => undefined);
}

export function ensembleStore(modelUrl: string, sha256: string, options: CacheOptions): EnsembleStore {
  const cache = versionedCache(PARAM, options);
  const version = `${FORMAT}-${sha256}`;
  return {
    async read(spec, kept) {
      const bytes = kept === undefined ? await keptBytes(cache, modelUrl, version) : kept;
      if (!bytes) return undefined;
      const ensemble = await decodeEnsemble(bytes, spec).catch(() => undefined);
      if (!ensemble) await cache.forget(modelUrl, version);
      return ensemble;
    },
    // Failures (no crypto.subtle for the digest, no room) are quiet: the next start reads the model, as this one did.
    keep: (ensemble, spec) => cache.keep(modelUrl, version, () => encodeEnsemble(ensemble, spec)),
  };
}

const KINDS = [
  Float32Array,
  Uint8Array,
  Int32Array,
  Float32Array,
  Uint8Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Float32Array,
  Float32Array,
] as const;
/** The ensemble's arrays, in the order the encoding stores them; KINDS names their types in that order. */
type Arrays = ReturnType<typeof arraysOf>;

function arraysOf(e: TreeEnsemble) {
  const { nodes, leaves } = e;
  return [
    e.baseValues,
    nodes.modes,
    nodes.features,
    nodes.values,
    nodes.missingTrue,
    nodes.trueChild,
    nodes.falseChild,
    e.roots,
    e.depths,
    leaves.start,
    leaves.count,
    leaves.targets,
    leaves.values,
    leaves.unique,
  ] as const;
}

type Header = Omit<TreeEnsemble, 'baseValues' | 'nodes' | 'roots' | 'depths' | 'leaves'> & { spec: SessionSpec; lengths: number[] };

const DIGEST = 32;
const pad8 = (n: number) => Math.ceil(n / 8) * 8;

/** sha256 of the rest | header length (u32) | header JSON | each array, 8-byte aligned. */
async function encodeEnsemble(e: TreeEnsemble, spec: SessionSpec): Promise<Uint8Array> {
  const arrays = arraysOf(e);
  const { op, width, outputs, aggregate, postTransform, binaryCase, weightsAllPositive } = e;
  const header: Header = {
    op,
    width,
    outputs,
    aggregate,
    postTransform,
    binaryCase,
    weightsAllPositive,
    spec,
    lengths: arrays.map((a) => a.length),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  let at = pad8(DIGEST + 4 + json.length);
  const bytes = new Uint8Array(at + arrays.reduce((sum, a) => sum + pad8(a.byteLength), 0));
  new DataView(bytes.buffer).setUint32(DIGEST, json.length, true);
  bytes.set(json, DIGEST + 4);
  for (const a of arrays) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += pad8(a.byteLength);
  }
  bytes.set(await digest(bytes.subarray(DIGEST)), 0);
  return bytes;
}

/** The ensemble, or a throw when the bytes are damaged or were read for another spec. */
async function decodeEnsemble(buffer: ArrayBuffer, spec: SessionSpec): Promise<TreeEnsemble | undefined> {
  const bytes = new Uint8Array(buffer);
  const stored = bytes.subarray(0, DIGEST);
  const actual = await digest(bytes.subarray(DIGEST));
  if (!actual.every((b, i) => b === stored[i])) return undefined;
  const length = new DataView(buffer).getUint32(DIGEST, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(DIGEST + 4, DIGEST + 4 + length))) as Header;
  const same = header.spec.inputName === spec.inputName && header.spec.outputName === spec.outputName && header.spec.width === spec.width;
  if (!same || header.lengths.length !== KINDS.length) return undefined;
  let at = pad8(DIGEST + 4 + length);
  const arrays = KINDS.map((Kind, i) => {
    const array = new Kind(buffer, at, header.lengths[i]);
    at += pad8(array.byteLength);
    return array;
  }) as unknown as Arrays;
  const [baseValues, modes, features, values, missingTrue, trueChild, falseChild, roots, depths, start, count, targets, weights, unique] =
    arrays;
  const { spec: _, lengths: __, ...rest } = header;
  return {
    ...rest,
    baseValues,
    nodes: { modes, features, values, missingTrue, trueChild, falseChild },
    roots,
    depths,
    leaves: { start, count, targets, values: weights, unique },
  };
}

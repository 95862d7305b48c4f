import type { RuntimeCache } from './cache.js';

/** What `serveWasm` set up, to undo. */
export interface WasmServing {
  /** Puts the page's own fetch back. */
  restore(): void;
  /** Drops a stored wasm that was served: called when onnxruntime could not start from it. */
  forgetServed(): Promise<void>;
}

type OnBytes = (loaded: number, total: number | undefined) => void;

/**
 * onnxruntime fetches its wasm (~14 MB) itself, with no progress hook and no say in where the
 * bytes come from. Inside our own worker we own the global scope, so while the first session is
 * created, fetch is wrapped: the wasm comes from `store`, its size reported at once; when it is
 * not there yet, it is first downloaded into `store`, its bytes counted on the way.
 * Never done on a page's main thread, whose fetch belongs to the app.
 */
export function serveWasm(store: RuntimeCache, onBytes: OnBytes): WasmServing {
  const scope = globalThis as { WorkerGlobalScope?: abstract new () => unknown };
  if (typeof scope.WorkerGlobalScope !== 'function' || !(globalThis instanceof scope.WorkerGlobalScope)) {
    return { restore: () => {}, forgetServed: async () => {} };
  }
  const original = globalThis.fetch;
  let served: string | undefined;
  globalThis.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!/\.wasm($|\?)/.test(url) || !(await store.available())) return original(input, init);
    let stored = await store.match(url);
    if (stored) {
      const size = Number(stored.headers.get('content-length')) || 0;
      onBytes(size, size || undefined);
    } else {
      const response = await original(input, init);
      if (!response.ok || !response.body) return response;
      // Stored whole before onnxruntime reads it. A copy streamed alongside advanced only while
      // this thread was free, i.e. after onnxruntime's start-up, and a page closed soon after its
      // first answer lost it half-written. The price, on a first load only: download and compile
      // no longer overlap.
      await store.put(url, counted(response, onBytes));
      stored = await store.match(url);
      // The Cache API refused it (quota, storage error): the network once more.
      if (!stored) return original(input, init);
    }
    served = url;
    return stored;
  };
  return {
    restore: () => {
      globalThis.fetch = original;
    },
    forgetServed: async () => {
      if (served) await store.forget(served);
    },
  };
}

/** The same response, reporting its bytes as they are read. */
function counted(response: Response, onBytes: OnBytes): Response {
  const total = Number(response.headers.get('content-length')) || undefined;
  let loaded = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      loaded += chunk.byteLength;
      onBytes(loaded, total);
      controller.enqueue(chunk);
    },
  });
  const { status, statusText, headers } = response;
  return new Response(response.body!.pipeThrough(counter), { status, statusText, headers });
}

import { jsKernel } from './kernel-js.js';
import { KERNEL_WASM } from './kernel-wasm.js';

/** The tree walk over a memory image (layout.ts): kernel.wat compiled, or its JavaScript twin. */
export interface Kernel {
  readonly memory: { readonly buffer: ArrayBuffer };
  /** Makes the memory at least `bytes` long, keeping what it holds. */
  grow(bytes: number): void;
  run(trees: number, nTrees: number, x: number, stride: number, rows: number, out: number, flags: number): void;
}

const PAGE = 65536;

let compiled: Promise<WebAssembly.Module | undefined> | undefined;

/** The wasm kernel where the runtime compiles WebAssembly at run time, else the JavaScript one (same outputs, slower). */
export async function loadKernel(): Promise<Kernel> {
  compiled ??= (async () => {
    try {
      return await WebAssembly.compile(Uint8Array.from(atob(KERNEL_WASM), (c) => c.charCodeAt(0)));
    } catch {
      // Refused (a CSP, an edge runtime) or absent: asked again next time, in case that changes.
      compiled = undefined;
      return undefined;
    }
  })();
  const module = await compiled;
  if (!module) return jsKernel();
  const instance = await WebAssembly.instantiate(module, {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  return {
    memory,
    grow(bytes) {
      if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    },
    run: instance.exports.run as Kernel['run'],
  };
}

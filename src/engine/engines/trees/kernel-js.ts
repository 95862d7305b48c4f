import type { Kernel } from './kernel.js';

/**
 * kernel.wat in JavaScript, on the same memory image, for runtimes that refuse to compile
 * WebAssembly at run time (Cloudflare Workers; a page whose CSP lacks 'wasm-unsafe-eval').
 * Same walk, same float32 sums in the same tree order, so the same outputs bit for bit.
 */
export function jsKernel(): Kernel {
  const memory = { buffer: new ArrayBuffer(65536) };
  return {
    memory,
    grow(bytes) {
      if (bytes <= memory.buffer.byteLength) return;
      const bigger = new Uint8Array(bytes);
      bigger.set(new Uint8Array(memory.buffer));
      memory.buffer = bigger.buffer;
    },
    run(trees, nTrees, x, stride, rows, out, flags) {
      const i32 = new Int32Array(memory.buffer);
      const f32 = new Float32Array(memory.buffer);
      const general = (flags & 1) !== 0;
      const leaves = (flags & 2) !== 0;
      for (let row = 0; row < rows; row++) {
        const r = (x + row * stride) >> 2;
        let sum = 0;
        for (let t = 0; t < nTrees; t++) {
          const tree = (trees >> 2) + t * 2;
          let n = (i32[tree] as number) >> 2;
          for (let d = i32[tree + 1] as number; d > 0; d--) {
            const f = i32[n + 1] as number;
            const v = f32[r + ((f & 0x0fffffff) >> 2)] as number;
            const w = f32[n] as number;
            const right = general ? ((f >>> (28 + (v < w ? 2 : 0) + (v === w ? 1 : 0) + (Number.isNaN(v) ? 3 : 0))) & 1) === 0 : !(v <= w);
            n = (i32[n + (right ? 3 : 2)] as number) >> 2;
          }
          if (leaves) i32[(out >> 2) + row * nTrees + t] = n << 2;
          else sum = Math.fround(sum + (f32[n] as number));
        }
        if (!leaves) f32[(out >> 2) + row] = sum;
      }
    },
  };
}

import { describe, expect, it } from 'vitest';
import { measureBytes } from '../bench/bytes.js';

// Size budgets (bytes only; timings never gate CI): our JS ≤ 40 KB brotli (the worker carries the
// tree engine that replaces onnxruntime's 2.3 MB for tree models), the model ≤ 200 KB, and all a
// first visit needs before bike-daily's first answer ≤ 80 KB brotli.
describe('size budgets', () => {
  it('our JS (main thread + worker, without onnxruntime-web) stays within 40 KB brotli, the model within 200 KB, a first visit within 80 KB', async () => {
    const bytes = await measureBytes();
    expect(bytes.jsWorker.raw).toBeGreaterThan(10_000); // the worker bundle really contains the engine
    expect(bytes.js.brotli).toBeLessThanOrEqual(40 * 1024);
    expect(bytes.model.raw).toBeLessThanOrEqual(200 * 1024);
    expect(bytes.js.brotli + bytes.manifest.brotli + bytes.model.brotli).toBeLessThanOrEqual(80 * 1024);
  });
});

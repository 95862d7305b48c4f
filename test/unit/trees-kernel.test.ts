import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import wabt from 'wabt';
import { EngineError } from '../../src/errors.js';
import { createTreeSession, readTreeEnsemble } from '../../src/engine/engines/trees/index.js';
import { KERNEL_WASM } from '../../src/engine/engines/trees/kernel-wasm.js';
import { expf, logf, MATHF_DATA } from '../../src/engine/engines/trees/mathf.js';
import { decodeModel } from '../../src/onnx/model.js';
import { fuzzRows, POOL, synthModel, WIDTH } from '../fixtures/trees/synthetic.js';

const spec = { inputName: 'x', outputName: 'variable', width: WIDTH };
const ensemble = () => {
  const e = readTreeEnsemble(decodeModel(synthModel({ trees: 3, depth: 3 })), spec);
  if ('unsupported' in e) throw new Error(e.unsupported);
  return e;
};

/**
 * musl's constants as its C sources write them (exp2f_data.c with i << 47 added back to tab[i],
 * logf_data.c, expf.c's limits): mathf.ts carries them as doubles in base64.
 */
const MUSL = (
  '1p+0 1.059b0d3158574p+0 1.0b5586cf9890fp+0 1.11301d0125b51p+0 1.172b83c7d517bp+0 1.1d4873168b9aap+0 ' +
  '1.2387a6e756238p+0 1.29e9df51fdee1p+0 1.306fe0a31b715p+0 1.371a7373aa9cbp+0 1.3dea64c123422p+0 1.44e086061892dp+0 ' +
  '1.4bfdad5362a27p+0 1.5342b569d4f82p+0 1.5ab07dd485429p+0 1.6247eb03a5585p+0 1.6a09e667f3bcdp+0 1.71f75e8ec5f74p+0 ' +
  '1.7a11473eb0187p+0 1.82589994cce13p+0 1.8ace5422aa0dbp+0 1.93737b0cdc5e5p+0 1.9c49182a3f09p+0 1.a5503b23e255dp+0 ' +
  '1.ae89f995ad3adp+0 1.b7f76f2fb5e47p+0 1.c199bdd85529cp+0 1.cb720dcef9069p+0 1.d5818dcfba487p+0 1.dfc97337b9b5fp+0 ' +
  '1.ea4afa2a490dap+0 1.f50765b6e454p+0 1.661ec79f8f3bep+0 -1.57bf7808caadep-2 1.571ed4aaf883dp+0 -1.2bef0a7c06ddbp-2 ' +
  '1.49539f0f010bp+0 -1.01eae7f513a67p-2 1.3c995b0b80385p+0 -1.b31d8a68224e9p-3 1.30d190c8864a5p+0 -1.6574f0ac07758p-3 ' +
  '1.25e227b0b8eap+0 -1.1aa2bc79c81p-3 1.1bb4a4a1a343fp+0 -1.a4e76ce8c0e5ep-4 1.12358f08ae5bap+0 -1.1973c5a611cccp-4 ' +
  '1.0953f419900a7p+0 -1.252f438e10c1ep-5 1p+0 0p+0 1.e608cfd9a47acp-1 1.aa5aa5df25984p-5 ' +
  '1.ca4b31f026aap-1 1.c5e53aa362eb4p-4 1.b2036576afce6p-1 1.526e57720db08p-3 1.9c2d163a1aa2dp-1 1.bc2860d22477p-3 ' +
  '1.886e6037841edp-1 1.1058bc8a07ee1p-2 1.767dcf5534862p-1 1.4043057b6ee09p-2 1.c6af84b912394p-20 1.ebfce50fac4f3p-13 ' +
  '1.62e42ff0c52d6p-6 1.71547652b82fep+5 1.62e42ep+6 -1.9fe368p+6 1.62e42fefa39efp-1 -1.00ea348b88334p-2 ' +
  '1.5575b0be00b6ap-2 -1.ffffef20a4123p-2'
).split(' ');
const hex = (s: string) => {
  const [, sign, int, frac = '', exp] = /^(-?)(\d)\.?([0-9a-f]*)p([-+]\d+)$/.exec(s)!;
  return (sign ? -1 : 1) * parseInt(int! + frac, 16) * 2 ** (Number(exp) - 4 * frac.length);
};

describe('expf and logf', () => {
  it("carry musl's constants", () => {
    expect(Array.from(new Float64Array(Uint8Array.from(Buffer.from(MATHF_DATA, 'base64')).buffer))).toEqual(MUSL.map(hex));
  });

  it('agree with float32-rounded Math.exp / Math.log to an ulp, and exactly on special values', () => {
    const ulp = (x: number) => Math.abs(Math.fround(x) - Math.fround(x * (1 + 2 ** -23))) || 1e-45;
    for (let i = 0; i < 20_000; i++) {
      const x = Math.fround((i / 20_000 - 0.5) * 174);
      expect(Math.abs(expf(x) - Math.fround(Math.exp(x)))).toBeLessThanOrEqual(ulp(Math.exp(x)));
      const y = Math.fround(i * 1.37e-3 + 1e-40);
      expect(Math.abs(logf(y) - Math.fround(Math.log(y)))).toBeLessThanOrEqual(ulp(Math.log(y)));
    }
    expect([expf(-Infinity), expf(Infinity), expf(NaN), expf(100), expf(-110), expf(0)]).toEqual([0, Infinity, NaN, Infinity, 0, 1]);
    expect([logf(0), logf(-0), logf(-1), logf(Infinity), logf(NaN), logf(1)]).toEqual([-Infinity, -Infinity, NaN, Infinity, NaN, 0]);
  });
});

describe('the tree kernel', () => {
  afterEach(() => vi.restoreAllMocks());

  it('committed bytes (kernel-wasm.ts) are kernel.wat compiled; run `npm run kernel` after editing the .wat', async () => {
    const wat = readFileSync(new URL('../../src/engine/engines/trees/kernel.wat', import.meta.url), 'utf8');
    const module = (await wabt()).parseWat('kernel.wat', wat);
    const bytes = module.toBinary({}).buffer;
    module.destroy();
    expect(Buffer.from(bytes).toString('base64')).toBe(KERNEL_WASM);
  });

  it('where WebAssembly is refused (Cloudflare Workers, a CSP without wasm-unsafe-eval), the JavaScript kernel gives the same outputs bit for bit', async () => {
    const rows = fuzzRows(2_001, WIDTH, POOL);
    const models = [
      synthModel({ trees: 20, depth: 5, modes: ['BRANCH_LEQ'] }), // the plain x <= t walk
      synthModel({ trees: 20, depth: 5, missingTrue: 0.5, nanThresholds: true }), // every mode and NaN rule
      synthModel({ trees: 9, depth: 4, aggregate: 'MAX', outputs: 3 }), // leaf addresses for the aggregators
    ];
    for (const model of models) {
      const e = readTreeEnsemble(decodeModel(model), spec);
      if ('unsupported' in e) throw new Error(e.unsupported);
      const wasm = await (await createTreeSession(e, spec)).run(rows, 2_001);
      const compile = vi
        .spyOn(WebAssembly, 'compile')
        .mockRejectedValue(
          new WebAssembly.CompileError(
            "Refused to compile or instantiate WebAssembly module because 'unsafe-eval' is not an allowed source",
          ),
        );
      // A fresh copy of the engine, whose first compile is the refused one (a compiled kernel is kept per module).
      vi.resetModules();
      const fresh = await import('../../src/engine/engines/trees/index.js');
      const js = await (await fresh.createTreeSession(e, spec)).run(rows, 2_001);
      expect(compile).toHaveBeenCalled();
      compile.mockRestore();
      expect(Buffer.from(js.buffer, js.byteOffset, js.byteLength)).toEqual(Buffer.from(wasm.buffer, wasm.byteOffset, wasm.byteLength));
    }
  });

  it('runs 0 rows, odd row counts and batches larger than the first, in one session; refuses a short matrix and runs after release', async () => {
    const session = await createTreeSession(ensemble(), spec);
    const rows = (n: number) => Float32Array.from({ length: n * WIDTH }, (_, i) => Math.sin(i) * 3);
    expect(await session.run(new Float32Array(0), 0)).toEqual(new Float32Array(0));
    const big = await session.run(rows(16_384), 16_384);
    const small = await session.run(rows(7), 7);
    // The same rows give the same answers whatever the batch around them.
    expect(small).toEqual(big.subarray(0, 7));
    await expect(session.run(rows(2), 3)).rejects.toThrow(EngineError);
    await session.release();
    await expect(session.run(rows(1), 1)).rejects.toThrow(/released/);
  });
});

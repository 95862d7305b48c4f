/**
 * expf and logf as onnxruntime's wasm build computes them: musl's (Arm's optimized routines,
 * also glibc's), which work in double and round once. Ported operation for operation so that
 * LOGISTIC, SOFTMAX and PROBIT match onnxruntime bit for bit; Math.exp/Math.log rounded to
 * float32 differ from them by an ulp now and then.
 */

/** Parses a C hex float such as `1.661ec79f8f3bep+0` (exact: the mantissa has at most 53 bits). */
function hex(s: string): number {
  const [, sign, int, frac = '', exp] = /^(-?)(\d)\.?([0-9a-f]*)p([-+]\d+)$/.exec(s)!;
  return (sign ? -1 : 1) * parseInt(int! + frac, 16) * 2 ** (Number(exp) - 4 * frac.length);
}
const hexes = (s: string) => s.split(' ').map(hex);

// exp2f_data.c: 2^(i/32) as doubles (the table's uint(2^(i/N)) with the i << 47 added back).
const EXP_TAB = hexes(
  '1p+0 1.059b0d3158574p+0 1.0b5586cf9890fp+0 1.11301d0125b51p+0 1.172b83c7d517bp+0 1.1d4873168b9aap+0 1.2387a6e756238p+0 ' +
    '1.29e9df51fdee1p+0 1.306fe0a31b715p+0 1.371a7373aa9cbp+0 1.3dea64c123422p+0 1.44e086061892dp+0 1.4bfdad5362a27p+0 1.5342b569d4f82p+0 ' +
    '1.5ab07dd485429p+0 1.6247eb03a5585p+0 1.6a09e667f3bcdp+0 1.71f75e8ec5f74p+0 1.7a11473eb0187p+0 1.82589994cce13p+0 1.8ace5422aa0dbp+0 ' +
    '1.93737b0cdc5e5p+0 1.9c49182a3f09p+0 1.a5503b23e255dp+0 1.ae89f995ad3adp+0 1.b7f76f2fb5e47p+0 1.c199bdd85529cp+0 1.cb720dcef9069p+0 ' +
    '1.d5818dcfba487p+0 1.dfc97337b9b5fp+0 1.ea4afa2a490dap+0 1.f50765b6e454p+0',
);
const [C0, C1, C2] = hexes('1.c6af84b912394p-20 1.ebfce50fac4f3p-13 1.62e42ff0c52d6p-6');
const INV_LN2_N = hex('1.71547652b82fep+5');
const [EXP_MAX, EXP_MIN] = hexes('1.62e42ep+6 -1.9fe368p+6');
const SHIFT = 6755399441055744; // 0x1.8p+52: adding and subtracting it rounds to an integer, ties to even

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number) => ((f32[0] = x), u32[0]!);

export function expf(x: number): number {
  x = Math.fround(x);
  const top = (bitsOf(x) >>> 20) & 0x7ff;
  if (top >= 0x42b) {
    // |x| >= 88 or NaN.
    if (x === -Infinity) return 0;
    if (top >= 0x7f8) return x + x;
    if (x > EXP_MAX) return Infinity;
    if (x < EXP_MIN) return 0;
  }
  const z = INV_LN2_N * x;
  const kd = z + SHIFT - SHIFT;
  const r = z - kd;
  const i = kd & 31;
  const s = EXP_TAB[i]! * 2 ** ((kd - i) / 32);
  const y = (C0 * r + C1) * (r * r) + (C2 * r + 1);
  return Math.fround(y * s);
}

// logf_data.c: (invc, logc) pairs, ln2 and the polynomial.
const LOG_TAB = hexes(
  '1.661ec79f8f3bep+0 -1.57bf7808caadep-2 1.571ed4aaf883dp+0 -1.2bef0a7c06ddbp-2 1.49539f0f010bp+0 -1.01eae7f513a67p-2 ' +
    '1.3c995b0b80385p+0 -1.b31d8a68224e9p-3 1.30d190c8864a5p+0 -1.6574f0ac07758p-3 1.25e227b0b8eap+0 -1.1aa2bc79c81p-3 ' +
    '1.1bb4a4a1a343fp+0 -1.a4e76ce8c0e5ep-4 1.12358f08ae5bap+0 -1.1973c5a611cccp-4 1.0953f419900a7p+0 -1.252f438e10c1ep-5 ' +
    '1p+0 0p+0 1.e608cfd9a47acp-1 1.aa5aa5df25984p-5 1.ca4b31f026aap-1 1.c5e53aa362eb4p-4 1.b2036576afce6p-1 1.526e57720db08p-3 ' +
    '1.9c2d163a1aa2dp-1 1.bc2860d22477p-3 1.886e6037841edp-1 1.1058bc8a07ee1p-2 1.767dcf5534862p-1 1.4043057b6ee09p-2',
);
const [LN2, A0, A1, A2] = hexes('1.62e42fefa39efp-1 -1.00ea348b88334p-2 1.5575b0be00b6ap-2 -1.ffffef20a4123p-2');

export function logf(x: number): number {
  let ix = bitsOf(x);
  if (ix === 0x3f800000) return 0;
  if (ix - 0x00800000 >>> 0 >= 0x7f800000 - 0x00800000) {
    // Below 2^-126, infinite or NaN.
    if (((ix << 1) >>> 0) === 0) return -Infinity;
    if (ix === 0x7f800000) return Infinity;
    if (ix & 0x80000000 || (ix << 1) >>> 0 >= 0xff000000) return NaN;
    ix = (bitsOf(Math.fround(f32[0]! * 8388608)) - (23 << 23)) >>> 0;
  }
  const tmp = (ix - 0x3f330000) >>> 0;
  const i = (tmp >>> 19) % 16;
  const k = tmp >> 23;
  u32[0] = (ix - (tmp & 0xff800000)) >>> 0;
  const z = f32[0]!;
  const r = z * LOG_TAB[2 * i]! - 1;
  const y0 = LOG_TAB[2 * i + 1]! + k * LN2;
  const r2 = r * r;
  const y = A0 * r2 + (A1 * r + A2);
  return Math.fround(y * r2 + (y0 + r));
}

/**
 * expf and logf as onnxruntime's wasm build computes them: musl's (Arm's optimized routines,
 * also glibc's), which work in double and round once. Ported operation for operation so that
 * LOGISTIC, SOFTMAX and PROBIT match onnxruntime bit for bit; Math.exp/Math.log rounded to
 * float32 differ from them by an ulp now and then.
 */

/**
 * musl's constants as little-endian doubles: exp2f_data.c's 2^(i/32) for i < 32 (its table
 * with the i << 47 added back), logf_data.c's 16 (invc, logc) pairs, then expf's polynomial
 * (scaled by 32), 32/ln2, its overflow and underflow limits, ln 2 and logf's polynomial.
 * test/unit/trees-kernel.test.ts checks them against the C sources' hex literals.
 */
export const MATHF_DATA =
  'AAAAAAAA8D90hRXTsFnwPw+J+WxYtfA/UVsS0AET8T97UX08uHLxP6q5aDGH1PE/OGJ1bno48j/h3h/1nZ7yPxW3MQr+BvM/y6k6N6dx8z8iNBJMpt7zPy2JYWAITvQ/Jyo21dq/9D+CT51WKzT1PylUSN0Hq/U/hVU6sH4k9j/NO39mnqD2P3Rf7Oh1H/c/hwHrcxSh9z8TzkyZiSX4P9ugKkLlrPg/5cXNsDc3+T+Q8KOCkcT5P10lPrIDVfo/rdNamZ/o+j9HXvvydn/7P5xShd2bGfw/aZDv3CC3/D+HpPvcGFj9P1+bezOX/P0/2pCkoq+k/j9ARW5bdlD/P77z+HnsYfY/3qqMgPd71b89iK9K7XH1P9ttwKfwvtK/sBDw8DmV9D9nOlF/rh7Qv4UDuLCVyfM/6SSCptgxy7+lZIgMGQ3zP1h3wApPV8a/oI4LeyJe8j8AgZzHK6rBvz80GkpKu/E/Xg6MznZOur+65YrwWCPxP8wcYVo8l7G/pwCZQT+V8D8eDOE49FKivwAAAAAAAPA/AAAAAAAAAACsR5r9jGDuP4RZ8l2qpao/oGoCH7Ok7D+0LjaqU168P+b8alc2IOs/CNsgd+UmxT8tqqFj0cLpP3BHIg2Gwss/7UF4A+aG6D/hfqDIiwXRP2JIU/XcZ+c/Ce62VzAE1D+UI5FL+Gq8PvPE+lDOvy4/1lIM/0Iulj/+gitlRxVHQAAAAOBCLlZAAAAAgDb+WcDvOfr+Qi7mPzSDuEijDtC/agvgC1tX1T8jQQry/v/fvw==';

const D = new Float64Array(Uint8Array.from(atob(MATHF_DATA), (c) => c.charCodeAt(0)).buffer);
const [C0, C1, C2, INV_LN2_N, EXP_MAX, EXP_MIN, LN2, A0, A1, A2] = D.subarray(64) as unknown as number[];
/** Adding and subtracting 0x1.8p52 rounds a double to an integer, ties to even. */
const SHIFT = 6755399441055744;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number) => ((f32[0] = x), u32[0]!);

export function expf(x: number): number {
  x = Math.fround(x);
  if (((bitsOf(x) >>> 20) & 0x7ff) >= 0x42b) {
    // |x| >= 88 or NaN.
    if (x === -Infinity) return 0;
    if (Number.isNaN(x) || x === Infinity) return x + x;
    if (x > EXP_MAX!) return Infinity;
    if (x < EXP_MIN!) return 0;
  }
  const z = INV_LN2_N! * x;
  const kd = z + SHIFT - SHIFT;
  const r = z - kd;
  const i = kd & 31;
  const y = (C0! * r + C1!) * (r * r) + (C2! * r + 1);
  return Math.fround(y * (D[i]! * 2 ** ((kd - i) / 32)));
}

export function logf(x: number): number {
  let ix = bitsOf(x);
  if (ix === 0x3f800000) return 0;
  if ((ix - 0x00800000) >>> 0 >= 0x7f000000) {
    // Below 2^-126, infinite or NaN.
    if (ix << 1 === 0) return -Infinity;
    if (ix === 0x7f800000) return Infinity;
    if (ix & 0x80000000 || (ix << 1) >>> 0 >= 0xff000000) return NaN;
    ix = (bitsOf(Math.fround(x * 8388608)) - (23 << 23)) >>> 0;
  }
  const tmp = (ix - 0x3f330000) >>> 0;
  const i = (tmp >>> 19) % 16;
  const k = tmp >> 23;
  u32[0] = (ix - (tmp & 0xff800000)) >>> 0;
  const r = f32[0]! * D[32 + 2 * i]! - 1;
  const y0 = D[33 + 2 * i]! + k * LN2!;
  const r2 = r * r;
  return Math.fround((A0! * r2 + (A1! * r + A2!)) * r2 + (y0 + r));
}

import type { PostTransform } from './ensemble.js';
import { expf, logf } from './mathf.js';

/** onnxruntime's post transforms (ml_common.h), every float operation rounded to float32 as its C++ does. */
const f = Math.fround;
const FLT_MAX = f(3.4028234663852886e38);
const SQRT2 = f(Math.SQRT2);
const ERF_A = f(2 / f(f(Math.PI) * f(0.147)));
const ERF_B = f(1 / f(0.147));
const TINY = f(0.0000001);

export function logistic(x: number): number {
  const v = f(1 / f(1 + f(expf(-Math.abs(x)))));
  return x < 0 ? f(1 - v) : v;
}

function erfInv(x: number): number {
  const sign = x < 0 ? -1 : 1;
  x = f(f(1 - x) * f(1 + x));
  const log = logf(x);
  const v = f(ERF_A + f(0.5 * log));
  const v2 = f(ERF_B * log);
  const v3 = f(-v + f(Math.sqrt(f(f(v * v) - v2))));
  return f(sign * f(Math.sqrt(v3)));
}

export function probit(x: number): number {
  return f(SQRT2 * erfInv(f(f(2 * x) - 1)));
}

/** write_scores for two or more values: `v` holds them (unscored ones already 0), rewritten in place. */
export function transformScores(v: Float64Array, n: number, post: PostTransform): void {
  if (post === 'PROBIT' || post === 'LOGISTIC') {
    for (let j = 0; j < n; j++) v[j] = post === 'PROBIT' ? probit(v[j]!) : logistic(v[j]!);
  } else if (post === 'SOFTMAX' || post === 'SOFTMAX_ZERO') {
    let max = -FLT_MAX;
    for (let j = 0; j < n; j++) if (v[j]! > max) max = v[j]!;
    const expNegMax = f(expf(-max));
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const x = v[j]!;
      if (post === 'SOFTMAX' || x > TINY || x < -TINY) {
        v[j] = f(expf(f(x - max)));
        sum = f(sum + v[j]!);
      } else v[j] = f(x * expNegMax);
    }
    for (let j = 0; j < n; j++) v[j] = f(v[j]! / sum);
  }
}

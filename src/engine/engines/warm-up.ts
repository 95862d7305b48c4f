import type { Session } from './session.js';

/**
 * Background runs of a fresh session on a zero row, a little at a time, so that the first real
 * calls do not pay for V8's tier-up of the engine's wasm: while it is still baseline-compiled,
 * an occasional round trip takes milliseconds instead of a fraction of one (docs/performance.md).
 */

/** Exported for the bench, whose reference is warmed up alike. */
export const WARM_UP_RUNS = 1000;
/** Each slice runs for about this long; a real call waits at most one slice behind it. */
const WARM_UP_SLICE_MS = 1;

/** Starts warming `session` up; the returned function stops it (call it before releasing the session). */
export function warmUp(session: Session, width: number): () => void {
  const zero = new Float32Array(width);
  let done = 0;
  let stopped = false;
  const slice = async (): Promise<void> => {
    // Runs chain through microtasks only, so no message (no real call) starts in the middle of one.
    const until = performance.now() + WARM_UP_SLICE_MS;
    while (!stopped && done < WARM_UP_RUNS && performance.now() < until) {
      await session.run(zero, 1);
      done++;
    }
    // A timer, not a message to itself (outputs/postprocess.ts nextTask): nested timers are
    // clamped to 4 ms, so the warm-up takes at most about a quarter of the worker's time.
    if (!stopped && done < WARM_UP_RUNS) setTimeout(run, 0);
  };
  // A failing run here stops the warm-up; the same failure reaches the caller of the next real run.
  const run = () => void slice().catch(() => (stopped = true));
  setTimeout(run, 0);
  return () => {
    stopped = true;
  };
}

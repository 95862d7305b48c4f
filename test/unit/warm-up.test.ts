import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/engines/session.js';
import { warmUp } from '../../src/engine/engines/warm-up.js';

/**
 * The worker's background warm-up (src/engine/engines/warm-up.ts), against a stand-in session that
 * only counts runs: whether it runs, lets other tasks in between its slices, ends by itself,
 * stops when told to and after a failing run. (That it removes the round-trip outliers is a
 * timing claim: `npm run bench` measures it.)
 */

function countingSession(runMs: number, fail?: (run: number) => boolean) {
  const seen: Array<{ rows: number; width: number }> = [];
  const session: Session = {
    engine: 'onnxruntime',
    async run(matrix, rows) {
      seen.push({ rows, width: matrix.length });
      if (fail?.(seen.length)) throw new Error('run failed');
      for (const until = performance.now() + runMs; performance.now() < until; );
      return new Float32Array(rows);
    },
    release: async () => {},
  };
  return { session, seen };
}

const tasks = (n: number) => new Promise((resolve) => setTimeout(resolve, n));

async function settled(seen: unknown[]): Promise<number> {
  for (let before = -1; before !== seen.length; ) {
    before = seen.length;
    await tasks(30);
  }
  return seen.length;
}

describe('warmUp', () => {
  it('runs the session on one zero row of the model width, 1,000 times, then stops by itself', async () => {
    const { session, seen } = countingSession(0);
    warmUp(session, 7);
    expect(seen).toHaveLength(0);
    expect(await settled(seen)).toBe(1000);
    expect(seen.every((s) => s.rows === 1 && s.width === 7)).toBe(true);
  });

  it('works in slices: other tasks run between them', async () => {
    const { session, seen } = countingSession(0.1);
    warmUp(session, 3);
    const progress: number[] = [];
    for (let i = 0; i < 5; i++) {
      await tasks(0);
      progress.push(seen.length);
    }
    expect(progress.at(-1)).toBeLessThan(1000);
    expect(new Set(progress).size).toBeGreaterThan(1);
  });

  it('stops when told to', async () => {
    const { session, seen } = countingSession(0.05);
    const stop = warmUp(session, 3);
    await tasks(5);
    stop();
    const atStop = seen.length;
    await tasks(50);
    expect(seen.length).toBe(atStop);
    expect(atStop).toBeLessThan(1000);
  });

  it('gives up after a failing run, without an unhandled rejection', async () => {
    const { session, seen } = countingSession(0, (run) => run === 3);
    warmUp(session, 3);
    expect(await settled(seen)).toBe(3);
  });
});

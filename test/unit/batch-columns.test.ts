import { describe, expect, it } from 'vitest';
import { ColumnsJoiner } from '../../src/engine/transport/join.js';
import { toPredictions, type BatchColumns } from '../../src/outputs/postprocess.js';
import type { Postprocess } from '../../src/schema/manifest.js';
import type { ValidationIssue } from '../../src/errors.js';
import type { Warning } from '../../src/schema/record.js';

/**
 * The main-thread half of a worker batch: the answers to its slices joined in order, then one
 * object per record. Warnings and issues are found by walking them in record order, so several
 * per record, ones on rejected records and records with none must all land where they belong.
 */

const spec: Postprocess = {
  name: 'rentals',
  inverse: 'exp',
  bands: { name: 'busyness', thresholds: [10, 20], labels: ['quiet', 'normal', 'busy'] },
};

const warning = (index: number, field: string, received: unknown = 1): Warning => ({ index, field, kind: 'clipped', received });
const issue = (index: number, path: string): ValidationIssue => ({ index, path, kind: 'type', message: `bad ${path}`, received: 'x' });

/** Six records: 1 has two warnings, 2 is rejected (with a warning of its own), 4 has one warning, 5 two issues. */
function columns(): BatchColumns {
  return {
    values: Float64Array.from([5, 15, 0, 25, 12, 0]),
    bands: Uint8Array.from([0, 1, 0, 2, 1, 0]),
    rejected: Uint8Array.from([0, 0, 1, 0, 0, 1]),
    warnings: [warning(1, 'a'), warning(1, 'b'), warning(2, 'a'), warning(4, 'c')],
    issues: [issue(2, 'x'), issue(5, 'x'), issue(5, 'y')],
    probabilities: null,
  };
}

const expected = [
  { rentals: 5, busyness: 'quiet' },
  { rentals: 15, busyness: 'normal', warnings: [warning(1, 'a'), warning(1, 'b')] },
  { error: { code: 'ERR_VALIDATION', issues: [issue(2, 'x')] } },
  { rentals: 25, busyness: 'busy' },
  { rentals: 12, busyness: 'normal', warnings: [warning(4, 'c')] },
  { error: { code: 'ERR_VALIDATION', issues: [issue(5, 'x'), issue(5, 'y')] } },
];

describe('toPredictions', () => {
  it('gives each record its own warnings and issues, in order', async () => {
    const out = await toPredictions(columns(), spec);
    expect(out).toEqual(expected);
    expect(out[0]).not.toHaveProperty('warnings');
  });

  it('answers the same when it yields between slices', async () => {
    expect(await toPredictions(columns(), spec, 0)).toEqual(expected);
  });
});

describe('ColumnsJoiner', () => {
  /** The same six records answered in slices of `size`, with slice-local indices as a worker sends them. */
  function slices(size: number): BatchColumns[] {
    const whole = columns();
    const parts: BatchColumns[] = [];
    for (let start = 0; start < 6; start += size) {
      const local = <T extends { index: number }>(items: T[]) =>
        items.filter((x) => x.index >= start && x.index < start + size).map((x) => ({ ...x, index: x.index - start }));
      const rejected = whole.rejected!.slice(start, start + size);
      parts.push({
        values: whole.values.slice(start, start + size),
        bands: whole.bands!.slice(start, start + size),
        rejected: rejected.some(Boolean) ? rejected : null,
        warnings: local(whole.warnings),
        issues: local(whole.issues),
        probabilities: null,
      });
    }
    return parts;
  }

  it.each([1, 2, 4, 6])('joins slices of %i records into the whole batch', (size) => {
    const joiner = new ColumnsJoiner(6);
    slices(size).forEach((part, k) => joiner.add(part, k * size));
    expect(joiner.result()).toEqual(columns());
  });

  it('joins parts without bands or rejections, their warnings moved to batch positions', () => {
    const joiner = new ColumnsJoiner(2);
    const part = (): BatchColumns => ({
      values: new Float64Array(1),
      bands: null,
      rejected: null,
      warnings: [warning(0, 'date', '2013-01-01')],
      issues: [],
      probabilities: null,
    });
    joiner.add(part(), 0);
    joiner.add(part(), 1);
    const { warnings, bands, rejected } = joiner.result();
    expect(warnings.map((w) => w.index)).toEqual([0, 1]);
    expect(warnings[1]).toEqual(warning(1, 'date', '2013-01-01'));
    expect(bands).toBeNull();
    expect(rejected).toBeNull();
  });
});

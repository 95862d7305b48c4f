import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Predictor } from '../../src/index.js';
import { isDataCloneError, sendableRecords } from '../../src/schema/sendable.js';
import { createBikePredictor, manifest, rec } from '../fixtures/bike-validation.js';

/**
 * The copies the worker path sends when postMessage refuses records (schema/sendable.ts) must be
 * read exactly as the originals: same predictions, same issues, same wording. Checked here on
 * the inline engine, which can read both; the browser proof is in e2e/worker-parity.spec.ts.
 */

let bike: Predictor;
beforeAll(async () => { bike = await createBikePredictor(); });
afterAll(() => bike?.dispose());

const names = manifest.inputs.map((input) => input.name);

function awkward(): unknown[] {
  // Copied field by field (it holds a function): a declared field that is not enumerable still counts.
  const hidden = rec({ onSelect: () => 1 });
  Object.defineProperty(hidden, 'temperature', { value: 30, enumerable: false });
  return [
    new Proxy(rec(), {}),
    rec({ onSelect: () => 1 }),
    rec({ temperature: () => 1 }),
    rec({ weather: Symbol('rain') }),
    rec({ humidity: [() => 1] }),
    rec({ humidity: new Proxy({}, {}) }),
    rec({ note: new Proxy([1, 2], {}), meta: { run: () => 1 } }),
    hidden,
    () => 1,
    Symbol('record'),
    [() => 1],
    rec(),
    'not a record',
  ];
}

describe('sendableRecords', () => {
  it('makes every record copyable by postMessage (structured clone)', () => {
    const records = awkward();
    expect(() => structuredClone(records)).toThrow();
    expect(() => structuredClone(sendableRecords(records, names))).not.toThrow();
  });

  it('keeps records that are already copyable as they are', () => {
    const plain = [rec(), rec({ extra: { nested: [1, 'a'] } }), null, 5];
    expect(sendableRecords(plain, names)).toEqual(plain);
  });

  for (const strict of [false, true]) {
    it(`gives the same answers and issues as the originals (strict: ${strict})`, async () => {
      const original = await bike.predictBatch(awkward(), { invalid: 'report', strict });
      const copied = await bike.predictBatch(sendableRecords(awkward(), names), { invalid: 'report', strict });
      expect(copied).toEqual(original);
      expect(original.filter((r) => 'error' in r).length).toBeGreaterThan(3);
    });
  }

  it('recognises the error postMessage and structuredClone throw for such values', () => {
    let thrown: unknown;
    try {
      structuredClone(new Proxy({}, {}));
    } catch (error) {
      thrown = error;
    }
    expect(isDataCloneError(thrown)).toBe(true);
    expect(isDataCloneError(new TypeError('x'))).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Predictor } from '../../src/index.js';
import { isRejected } from '../../src/outputs/postprocess.js';
import { isDataCloneError, sendable } from '../../src/schema/sendable.js';
import { createBikePredictor, rec } from '../fixtures/bike-validation.js';

/**
 * The copies the worker path sends when postMessage refuses a message (schema/sendable.ts) must
 * be read exactly as the originals: same predictions, same issues, same wording. Checked here on
 * the inline engine, which can read both; the browser proof is in e2e/worker-parity.spec.ts.
 */

let bike: Predictor;
beforeAll(async () => {
  bike = await createBikePredictor();
});
afterAll(() => bike?.dispose());

function awkward(): unknown[] {
  return [
    new Proxy(rec(), {}),
    rec({ onSelect: () => 1 }),
    rec({ temperature: () => 1 }),
    rec({ weather: Symbol('rain') }),
    rec({ humidity: [() => 1] }),
    rec({ humidity: new Proxy({}, {}) }),
    rec({ note: new Proxy([1, 2], {}), meta: { run: () => 1 } }),
    () => 1,
    Symbol('record'),
    [() => 1],
    rec(),
    'not a record',
  ];
}

/** Records with cycles, each also holding a function, so postMessage refuses them and sendable copies them. */
function cyclic(): unknown[] {
  const self = rec({ onSelect: () => 1 });
  self.self = self;
  const loop: Record<string, unknown> = { format: () => 1 };
  loop.loop = loop;
  const fieldIsRecord = rec({ humidity: () => 1 });
  fieldIsRecord.temperature = fieldIsRecord;
  const records: unknown[] = [self, rec({ temperature: loop }), fieldIsRecord];
  records.push(records);
  return records;
}

describe('sendable', () => {
  it('makes a message with such records copyable by postMessage (structured clone)', () => {
    const message = { run: 1, records: awkward(), options: {} };
    expect(() => structuredClone(message)).toThrow();
    expect(() => structuredClone(sendable(message))).not.toThrow();
  });

  it('keeps what is already copyable as it is', () => {
    const records = [rec(), rec({ extra: { nested: [1, 'a'] }, when: new Date(0) }), null, 5];
    expect(sendable(records)).toBe(records);
    const mixed = [records[1], () => 1];
    expect((sendable(mixed) as unknown[])[0]).toBe(records[1]);
  });

  for (const strict of [false, true]) {
    it(`gives the same answers and issues as the originals (strict: ${strict})`, async () => {
      const original = await bike.predictBatch(awkward(), { invalid: 'report', strict });
      const copied = await bike.predictBatch(sendable(awkward()) as unknown[], { invalid: 'report', strict });
      expect(copied).toEqual(original);
      expect(original.filter((r) => 'error' in r).length).toBeGreaterThan(3);
    });
  }

  it('copies records with cycles and functions in them: a cycle stays a cycle, so the reader answers as it does inline', async () => {
    const records = cyclic();
    const message = { run: 1, records, options: {} };
    const copy = sendable(message) as typeof message;
    expect(() => structuredClone(copy)).not.toThrow();
    const [self, fieldCycle, fieldIsRecord, batch] = copy.records as Array<Record<string, unknown>>;
    expect(self!.self).toBe(self);
    expect((fieldCycle!.temperature as Record<string, unknown>).loop).toBe(fieldCycle!.temperature);
    expect(fieldIsRecord!.temperature).toBe(fieldIsRecord);
    expect(batch).toBe(copy.records);
    for (const strict of [false, true]) {
      const original = await bike.predictBatch(cyclic(), { invalid: 'report', strict });
      const copied = await bike.predictBatch(sendable(cyclic()) as unknown[], { invalid: 'report', strict });
      expect(copied).toEqual(original);
    }
    const report = await bike.predictBatch(sendable(cyclic()) as unknown[], { invalid: 'report' });
    expect(report.map((r) => (isRejected(r) ? r.error.issues.map((i) => `${i.path}: ${i.message}`) : 'predicted'))).toEqual([
      'predicted',
      ['temperature: expected a number, got object'],
      ['temperature: expected a number, got object', 'humidity: expected a number, got function'],
      [': expected a record object, got an array'],
    ]);
  });

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

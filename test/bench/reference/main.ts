import type { ReferenceRequest } from './ort-worker.js';

/**
 * The bench's references in Chromium (test/bench/browser-reference.ts drives them): what the
 * browser figures would be without featurecast's own work. onnxruntime-web alone in a worker
 * (start-up, one-row round trips, a 100,000-row run), and building the result objects of a
 * 100,000-record batch on the main thread with no worker at all.
 */

let worker: Worker | undefined;

function ask(request: ReferenceRequest, transfer: Transferable[] = []): Promise<Float32Array> {
  return new Promise((resolve, reject) => {
    worker!.onmessage = (event: MessageEvent<Float32Array>) => resolve(event.data);
    worker!.onerror = (event) => reject(new Error(event.message));
    worker!.postMessage(request, transfer);
  });
}

/** What `buildObjects` turns into one object per record, as predictBatch returns them. */
export interface ResultColumns {
  values: number[];
  labels: string[];
  /** Per warned record: its index and its warnings. */
  warned: Array<[number, Array<{ field: string; kind: string; received: unknown }>]>;
}

export const reference = {
  /** New worker → first answer, in ms. */
  async start(model: string, row: number[]): Promise<number> {
    const t0 = performance.now();
    worker = new Worker(new URL('./ort-worker.ts', import.meta.url), { type: 'module' });
    await ask({ model, row: Float32Array.from(row) });
    return performance.now() - t0;
  },

  /** A second model load in the running worker → first answer, in ms: start-up without starting onnxruntime. */
  async reload(model: string, row: number[]): Promise<number> {
    const t0 = performance.now();
    await ask({ model, row: Float32Array.from(row) });
    return performance.now() - t0;
  },

  /** `calls` one-row round trips after `warm` untimed ones; ms each. */
  async roundTrips(row: number[], warm: number, calls: number): Promise<number[]> {
    const matrix = Float32Array.from(row);
    for (let i = 0; i < warm; i++) await ask({ matrix, rows: 1 });
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      await ask({ matrix, rows: 1 });
      times.push(performance.now() - t0);
    }
    return times;
  },

  /** One run of the pre-encoded matrix at `url`, sent and answered by transfer; ms. */
  async batch(url: string, width: number): Promise<number> {
    const matrix = new Float32Array(await (await fetch(url)).arrayBuffer());
    const t0 = performance.now();
    await ask({ matrix, rows: matrix.length / width }, [matrix.buffer]);
    return performance.now() - t0;
  },

  /** Builds one plain object per record from `columns`, yielding every 4 ms as predictBatch does. */
  async buildObjects(columns: ResultColumns): Promise<object[]> {
    const { values, labels, warned } = columns;
    const out = new Array<object>(values.length);
    let w = 0;
    let sliceStart = performance.now();
    for (let i = 0; i < values.length; i++) {
      if (i % 256 === 0 && performance.now() - sliceStart >= 4) {
        await nextTask();
        sliceStart = performance.now();
      }
      const p: { rentals: number; busyness: string; warnings?: object[] } = { rentals: values[i]!, busyness: labels[i]! };
      if (warned[w]?.[0] === i) p.warnings = warned[w++]![1].map((x) => ({ index: i, field: x.field, kind: x.kind, received: x.received }));
      out[i] = p;
    }
    return out;
  },
};

/** A message to itself, as featurecast yields (a nested setTimeout would be clamped to 4 ms). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

declare global {
  interface Window {
    reference: typeof reference;
    referenceReady: boolean;
  }
}

window.reference = reference;
window.referenceReady = true;

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { compilePipeline, type Pipeline } from '../features/pipeline.js';
import { SpecError } from '../errors.js';
import { formatFloat32 } from './data.js';
import type { FittedPipeline } from './fit.js';
import { BadRows, rowsOf, type DataSource, type ReadOptions } from './rows.js';

/**
 * `features`: the model matrix exactly as the library computes it at prediction time, written as
 * CSV (float32 values, header = the model's columns), so a model can be trained in any tool on
 * precisely these numbers. Streams: memory stays bounded whatever the file's size.
 */

export interface FeaturesOptions extends ReadOptions {
  /** Input columns copied as they are after the features (e.g. the target). */
  keep?: readonly string[];
}

/** Records encoded at a time. */
const CHUNK = 4096;

/** The compiled pipeline of a fitted one (what the library runs at prediction time). */
export function compileFitted(pipeline: FittedPipeline): Pipeline {
  return compilePipeline(pipeline.inputs, pipeline.features);
}

/** Writes the features of every row of `data` to the CSV file `out`; resolves to the number of rows. Bad rows fail it, all named. */
export async function writeFeatures(pipeline: FittedPipeline, data: DataSource, out: string, options: FeaturesOptions = {}): Promise<number> {
  const compiled = compileFitted(pipeline);
  const keep = options.keep ?? [];
  const clash = keep.find((k) => compiled.columns.includes(k));
  if (clash) throw new SpecError(`--keep ${clash}: the features already have a column of that name`);
  const partial = `${out}.partial`;
  const stream = createWriteStream(partial);
  const write = async (text: string) => {
    if (!stream.write(text)) await once(stream, 'drain');
  };
  const bad = new BadRows();
  let rows = 0;
  try {
    await write(`${[...compiled.columns, ...keep].map(csvCell).join(',')}\n`);
    let chunk: Array<{ record: Record<string, unknown>; line: number }> = [];
    const flush = async () => {
      const { matrix, issues, rejected } = compiled.encode(chunk.map((r) => r.record), { invalid: 'report' });
      for (const issue of issues) bad.add([issue], chunk[issue.index]!.line);
      if (!bad.issues.length) await write(formatRows(matrix, compiled.width, chunk, keep, rejected));
      rows += chunk.length;
      chunk = [];
    };
    for await (const row of rowsOf(data, pipeline.inputs, { ...options, stage: options.stage ?? 'features' })) {
      chunk.push(row);
      if (chunk.length === CHUNK) await flush();
    }
    if (chunk.length) await flush();
    bad.throwIfAny(data, 'features');
    stream.end();
    await once(stream, 'finish');
    await rename(partial, out);
    return rows;
  } catch (error) {
    stream.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}

function formatRows(matrix: Float32Array, width: number, chunk: ReadonlyArray<{ record: Record<string, unknown> }>, keep: readonly string[], rejected: Uint8Array | null): string {
  let text = '';
  for (let i = 0; i < chunk.length; i++) {
    if (rejected?.[i]) continue;
    const cells: string[] = [];
    for (let c = 0; c < width; c++) cells.push(formatFloat32(matrix[i * width + c]!));
    for (const k of keep) cells.push(csvCell(chunk[i]!.record[k]));
    text += `${cells.join(',')}\n`;
  }
  return text;
}

/** A CSV cell: absent values empty, text quoted when it must be. */
function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { compilePipeline, type Pipeline } from '../features/pipeline.js';
import { SpecError } from '../errors.js';
import { writeCsv } from './data.js';
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

/** Writes the features of every row of `data` to the CSV file `out`; resolves to the number of rows. Bad rows fail it, all named, and nothing is written. */
export async function writeFeatures(
  pipeline: FittedPipeline,
  data: DataSource,
  out: string,
  options: FeaturesOptions = {},
): Promise<number> {
  const compiled = compileFitted(pipeline);
  const keep = options.keep ?? [];
  const clash = keep.find((k) => compiled.columns.includes(k));
  if (clash) throw new SpecError(`--keep ${clash}: the features already have a column of that name`);
  const partial = `${out}.partial`;
  const stream = createWriteStream(partial);
  const bad = new BadRows();
  try {
    const rows = await writeCsv(stream, [...compiled.columns, ...keep], encodedRows(compiled, data, pipeline, keep, bad, options));
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

/** Rows of float32 features (then the kept cells, as text so a target is never rounded), a chunk of records at a time; after a bad row only problems are collected. */
async function* encodedRows(
  compiled: Pipeline,
  data: DataSource,
  pipeline: FittedPipeline,
  keep: readonly string[],
  bad: BadRows,
  options: ReadOptions,
) {
  let chunk: Array<{ record: Record<string, unknown>; line: number }> = [];
  const width = compiled.width;
  function* flush() {
    const { matrix, issues, rejected } = compiled.encode(
      chunk.map((r) => r.record),
      { invalid: 'report' },
    );
    for (const issue of issues) bad.add([issue], chunk[issue.index]!.line);
    if (!bad.issues.length) {
      for (let i = 0; i < chunk.length; i++) {
        if (rejected?.[i]) continue;
        const row: Array<number | string | undefined> = Array.from(matrix.subarray(i * width, (i + 1) * width));
        for (const k of keep) {
          const v = chunk[i]!.record[k];
          row.push(v === undefined || v === null ? undefined : String(v));
        }
        yield row;
      }
    }
    chunk = [];
  }
  for await (const row of rowsOf(data, pipeline.inputs, { ...options, stage: options.stage ?? 'features' })) {
    chunk.push(row);
    if (chunk.length === CHUNK) yield* flush();
  }
  if (chunk.length) yield* flush();
}

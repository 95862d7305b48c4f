import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPredictor, isRejected } from '../../src/index.js';
import { compilePipeline } from '../../src/features/pipeline.js';
import type { Manifest } from '../../src/schema/manifest.js';
import { BATCH_SIZE, SAMPLE } from './browser-plan.js';
import { benchRecords } from './records.js';
import type { ResultColumns } from './reference/main.js';

/**
 * The browser part's data, prepared in Node and written to `dir`, which the bench serves: pages
 * fetch it before timing anything. (As a page.evaluate argument, 100,000 records took 13 s to
 * cross into the page.)
 *
 * - `records.json`: the batch's records;
 * - `matrix.f32`: the same records encoded by the feature pipeline (float32, row-major);
 * - `columns.json`: featurecast's predictions for them, as `ResultColumns`.
 */
export async function writeBrowserData(dir: string): Promise<{ width: number; row: number[] }> {
  const manifestPath = 'models/bike-daily/manifest.json';
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const pipeline = compilePipeline(manifest.inputs, manifest.features);
  const records = benchRecords(BATCH_SIZE);
  const predictor = await createPredictor(manifestPath, { worker: false, monitor: false });
  const predictions = await predictor.predictBatch(records);
  await predictor.dispose();
  const columns: ResultColumns = { values: [], labels: [], warned: [] };
  predictions.forEach((p, i) => {
    if (isRejected(p)) throw new Error(`bench record ${i} was rejected`);
    columns.values.push(p.rentals as number);
    columns.labels.push(p.busyness as string);
    if (p.warnings) columns.warned.push([i, p.warnings.map(({ field, kind, received }) => ({ field, kind, received }))]);
  });
  writeFileSync(join(dir, 'records.json'), JSON.stringify(records));
  writeFileSync(join(dir, 'matrix.f32'), pipeline.encode(records).matrix);
  writeFileSync(join(dir, 'columns.json'), JSON.stringify(columns));
  return { width: pipeline.width, row: [...pipeline.encode([SAMPLE]).matrix] };
}

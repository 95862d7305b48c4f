import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { UciDay } from './uci.js';

/** Reading UCI day.csv for training; `FEATURECAST_DATA_DIR` overrides its folder. */
export function dataDir(): string {
  return resolve(process.env.FEATURECAST_DATA_DIR ?? resolve(import.meta.dirname, '../../../shared/data/bike-sharing'));
}

export function readDayCsv(file = resolve(dataDir(), 'day.csv')): UciDay[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(
      `Cannot read ${file}. Get day.csv from the UCI Machine Learning Repository ("Bike Sharing", dataset 275) and point FEATURECAST_DATA_DIR at its folder.`,
    );
  }
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const names = header!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const row: Record<string, string | number> = {};
    names.forEach((name, i) => {
      row[name] = name === 'dteday' ? cells[i]! : Number(cells[i]);
    });
    return row as unknown as UciDay;
  });
}

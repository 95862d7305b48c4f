import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { UciDay } from './uci.js';

/** Reading UCI day.csv and hour.csv for training; `FEATURECAST_DATA_DIR` overrides their folder. */
export function dataDir(): string {
  return resolve(process.env.FEATURECAST_DATA_DIR ?? resolve(import.meta.dirname, '../../../shared/data/bike-sharing'));
}

/** UCI day.csv as numbers (dteday kept as text). */
export function readDayCsv(file = resolve(dataDir(), 'day.csv')): UciDay[] {
  return readUciCsv<UciDay>(file);
}

/** A UCI Bike Sharing CSV (day.csv or hour.csv) as rows of numbers, `dteday` kept as text. */
export function readUciCsv<Row>(file: string): Row[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(
      `Cannot read ${file}. Get day.csv and hour.csv from the UCI Machine Learning Repository ("Bike Sharing", dataset 275) and point FEATURECAST_DATA_DIR at their folder.`,
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
    return row as Row;
  });
}

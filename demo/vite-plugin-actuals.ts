import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';

/**
 * `virtual:bike-actuals`: the real daily rentals of the training data (UCI Bike Sharing
 * day.csv, date → cnt), read at build time so the page can show them beside the predictions.
 * The data stays out of git; without the file the module is empty and the page shows no actuals.
 * `FEATURECAST_DATA_DIR` overrides the folder, as for training.
 */

const ID = 'virtual:bike-actuals';
const RESOLVED = `\0${ID}`;

export function defaultDataDir(repoRoot: string): string {
  return resolve(process.env.FEATURECAST_DATA_DIR ?? resolve(repoRoot, '../shared/data/bike-sharing'));
}

/** Parses day.csv into { 'YYYY-MM-DD': cnt }; an empty object when the columns are missing. */
export function parseDayCsv(text: string): Record<string, number> {
  const [header = '', ...lines] = text.trim().split(/\r?\n/);
  const names = header.split(',');
  const day = names.indexOf('dteday');
  const cnt = names.indexOf('cnt');
  const out: Record<string, number> = {};
  if (day < 0 || cnt < 0) return out;
  for (const line of lines) {
    const cells = line.split(',');
    const date = cells[day] ?? '';
    const value = Number(cells[cnt]);
    if (/^\d{4}-\d{2}-\d{2}$/.test(date) && Number.isFinite(value)) out[date] = value;
  }
  return out;
}

export function bikeActuals(dataDir: string): Plugin {
  const file = resolve(dataDir, 'day.csv');
  return {
    name: 'featurecast-bike-actuals',
    resolveId: (id) => (id === ID ? RESOLVED : undefined),
    load(id) {
      if (id !== RESOLVED) return undefined;
      let actuals: Record<string, number> = {};
      try {
        actuals = parseDayCsv(readFileSync(file, 'utf8'));
        this.addWatchFile(file);
      } catch {
        this.warn(`${file} not found: the demo is built without actual rentals`);
      }
      const source = Object.keys(actuals).length ? 'UCI Bike Sharing Dataset, day.csv (cnt)' : null;
      return `export const actuals = ${JSON.stringify(actuals)};\nexport const actualsSource = ${JSON.stringify(source)};\n`;
    },
  };
}

import { resolve } from 'node:path';
import { dataDir, readUciCsv } from '../bike-daily/data.js';
import type { UciHour } from './uci.js';

/** UCI hour.csv (17,379 hours) as numbers, from `FEATURECAST_DATA_DIR` or ../shared/data/bike-sharing. */
export function readHourCsv(file = resolve(dataDir(), 'hour.csv')): UciHour[] {
  return readUciCsv<UciHour>(file);
}

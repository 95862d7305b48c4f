// `featurecast/bike-daily`: the bundled bike-daily model and what is specific to it.
export { uciRowToRecord, uciToRecord, WEATHER, UCI_COLUMN_OF } from './uci.js';
export type { UciRow, UciDay, UciWarning, UciConversion, UciCalendarField, BikeRecord } from './uci.js';
export { makecalcRoute, acceptsBikeRecords } from './makecalc.js';
export type { SeedPrediction } from './makecalc.js';

/**
 * Locations of the bundled model: pass to `createPredictor(bikeDaily)`. `new URL(…, import.meta.url)`
 * lets an app's bundler emit both files and hand back their final URLs; in Node they are file: URLs.
 */
export const bikeDaily: { readonly manifest: string; readonly model: string } = {
  manifest: new URL('./manifest.json', import.meta.url).href,
  model: new URL('./model.onnx', import.meta.url).href,
};

/** URL of the typical weather per day of year (training data), for default forecast inputs. */
export const bikeDailyTypicalWeather: string = new URL('./typical-weather.json', import.meta.url).href;

// `featurecast/bike-daily`: the bundled bike-daily model and what is specific to it.
export { uciRowToRecord, uciToRecord, WEATHER, UCI_COLUMN_OF } from './uci.js';
export type { UciRow, UciDay, UciWarning, UciConversion, UciCalendarField, BikeRecord } from './uci.js';
export { makecalcRoute, acceptsBikeRecords } from './makecalc.js';
export type { SeedPrediction } from './makecalc.js';

/**
 * Where modules have no URL (Cloudflare's workerd: `import.meta.url` is undefined), `new URL(…)` here
 * would throw while this module loads, and take `makecalcRoute` down with it; the locations stay
 * relative there, and a worker embeds the bundle instead (`{ manifest, model }`).
 */
const located = typeof import.meta.url === 'string';

/**
 * Locations of the bundled model: pass to `createPredictor(bikeDaily)`. `new URL(…, import.meta.url)`
 * lets an app's bundler emit both files and hand back their final URLs; in Node they are file: URLs.
 */
export const bikeDaily: { readonly manifest: string; readonly model: string } = {
  manifest: located ? new URL('./manifest.json', import.meta.url).href : './manifest.json',
  model: located ? new URL('./model.onnx', import.meta.url).href : './model.onnx',
};

/** URL of the typical weather per day of year (training data), for default forecast inputs. */
export const bikeDailyTypicalWeather: string = located ? new URL('./typical-weather.json', import.meta.url).href : './typical-weather.json';

// `featurecast/bike-hourly`: the bundled bike-hourly model and what is specific to it.
export { uciHourToRecord, uciTime } from './uci.js';
export type { UciHour, HourRecord } from './uci.js';

/** Where modules have no URL (Cloudflare's workerd), the locations stay relative, as in bike-daily. */
const located = typeof import.meta.url === 'string';

/**
 * Locations of the bundled model: pass to `createPredictor(bikeHourly)`. `new URL(…, import.meta.url)`
 * lets an app's bundler emit both files and hand back their final URLs; in Node they are file: URLs.
 */
export const bikeHourly: { readonly manifest: string; readonly model: string } = {
  manifest: located ? new URL('./manifest.json', import.meta.url).href : './manifest.json',
  model: located ? new URL('./model.onnx', import.meta.url).href : './model.onnx',
};

/** URL of the typical weather per hour of the day, every 7th day of the year (training data), for default forecast inputs. */
export const bikeHourlyTypicalWeather: string = located
  ? new URL('./typical-hourly-weather.json', import.meta.url).href
  : './typical-hourly-weather.json';

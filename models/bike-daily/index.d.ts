/** Locations of the bundled bike-daily model: pass to `createPredictor(bikeDaily)`. */
export declare const bikeDaily: { readonly manifest: string; readonly model: string };
/** URL of the typical weather per day of year (training data), for default forecast inputs. */
export declare const bikeDailyTypicalWeather: string;

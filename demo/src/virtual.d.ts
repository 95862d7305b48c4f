/** Built by demo/vite-plugin-actuals.ts from day.csv; empty when the data was not there at build time. */
declare module 'virtual:bike-actuals' {
  /** Real rentals per day, 'YYYY-MM-DD' → count. */
  export const actuals: Readonly<Record<string, number>>;
  export const actualsSource: string | null;
}

/** Built by demo/vite-plugin-actuals.ts from day.csv: each day's weather as in the file; empty without the data. */
declare module 'virtual:bike-weather' {
  /** [dteday, weathersit, temp, atemp, hum, windspeed] per day, UCI-normalised. */
  export const dayWeather: ReadonlyArray<readonly [string, number, number, number, number, number]>;
}

/** Built by demo/vite-plugin-actuals.ts from day.csv; empty when the data was not there at build time. */
declare module 'virtual:bike-actuals' {
  /** Real rentals per day, 'YYYY-MM-DD' → count. */
  export const actuals: Readonly<Record<string, number>>;
  export const actualsSource: string | null;
}

import { WEATHER, type BikeRecord } from '../../models/bike-daily/uci.js';

/** Deterministic, realistic bike records spread over 2011–2013, for benchmarks. */
export function benchRecords(n: number): BikeRecord[] {
  let seed = 12345;
  const next = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  return Array.from({ length: n }, (_, i) => {
    const day = new Date(Date.UTC(2011, 0, 1 + (i % 1095)));
    const temperature = Math.round((next() * 30 + 3) * 10) / 10;
    return {
      date: day.toISOString().slice(0, 10),
      temperature,
      feelsLike: Math.round((temperature + next() * 6 - 2) * 10) / 10,
      humidity: Math.round(30 + next() * 60),
      windSpeed: Math.round((2 + next() * 25) * 10) / 10,
      weather: WEATHER[Math.floor(next() * 3)]!,
    };
  });
}

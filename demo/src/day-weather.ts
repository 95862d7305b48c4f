/**
 * The training years' daily weather for the drift panel, loaded on demand as its own chunk.
 * This real module fronts the virtual one so the chunk is named `day-weather-*.js`: a name
 * starting with `_` (as `_virtual_…` would) is skipped by some static hosts, e.g. Jekyll.
 */
export { dayWeather } from 'virtual:bike-weather';

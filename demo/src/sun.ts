import { dayOfYear } from './dates.js';

/**
 * Sunrise and sunset in Washington, DC (NOAA's low-precision solar equations, within a few
 * minutes), in DC local time: the "daylight hours" of the when-to-ride view.
 */

const LATITUDE = 38.9072;
const LONGITUDE = -77.0369;
const RAD = Math.PI / 180;

const localClock = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hourCycle: 'h23', hour: 'numeric', minute: 'numeric' });

/** Local time of an instant as fractional hours (7.5 = 07:30). */
function localHours(epochMs: number): number {
  const parts = Object.fromEntries(localClock.formatToParts(epochMs).map((p) => [p.type, p.value]));
  return Number(parts.hour) + Number(parts.minute) / 60;
}

/** Sunrise and sunset on `iso` (`YYYY-MM-DD`) in DC local time, as fractional hours. */
export function sunTimes(iso: string): { sunrise: number; sunset: number } {
  const g = ((2 * Math.PI) / 365) * (dayOfYear(iso) - 1);
  const eqTime =
    229.18 * (0.000075 + 0.001868 * Math.cos(g) - 0.032077 * Math.sin(g) - 0.014615 * Math.cos(2 * g) - 0.040849 * Math.sin(2 * g));
  const decl =
    0.006918 -
    0.399912 * Math.cos(g) +
    0.070257 * Math.sin(g) -
    0.006758 * Math.cos(2 * g) +
    0.000907 * Math.sin(2 * g) -
    0.002697 * Math.cos(3 * g) +
    0.00148 * Math.sin(3 * g);
  const lat = LATITUDE * RAD;
  const hourAngle = Math.acos(Math.cos(90.833 * RAD) / (Math.cos(lat) * Math.cos(decl)) - Math.tan(lat) * Math.tan(decl)) / RAD;
  const midnight = Date.parse(`${iso}T00:00:00Z`);
  const at = (minutes: number) => localHours(midnight + minutes * 60_000);
  return { sunrise: at(720 - 4 * (LONGITUDE + hourAngle) - eqTime), sunset: at(720 - 4 * (LONGITUDE - hourAngle) - eqTime) };
}

/** Hours (0–23) that lie wholly between sunrise and sunset. */
export function daylightHours(iso: string): number[] {
  const { sunrise, sunset } = sunTimes(iso);
  return Array.from({ length: 24 }, (_, h) => h).filter((h) => h >= sunrise && h + 1 <= sunset);
}

import { TimeoutError } from '../errors.js';
import { HttpError, type PlainRequest } from './http.js';

/**
 * Per-request time limits of the Fetch handler: which timeout applies to a request, and
 * running a route under it with one signal that fires on a client's hang-up or the deadline.
 * Runtime-neutral: Fetch API globals only.
 */

/** Header a client may send instead of the `timeoutMs` query parameter. */
export const TIMEOUT_HEADER = 'x-timeout-ms';

/** Longest timer `setTimeout` honours (2^31 − 1 ms, ~24.8 days); longer ones fire at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * The timeout of one request: the smaller of `?timeoutMs=`, `X-Timeout-Ms` and the server's own
 * `timeoutMs` (a client may shorten the server's limit, never extend it). 400 when malformed.
 */
export function requestTimeoutMs(request: PlainRequest, serverMs: number | undefined): number | undefined {
  let ms = serverMs;
  const fromQuery = request.query.includes('timeoutMs') ? new URLSearchParams(request.query).get('timeoutMs') : null;
  for (const text of [fromQuery, request.header(TIMEOUT_HEADER)]) {
    if (text === null) continue;
    const asked = parseTimeout(text);
    ms = ms === undefined ? asked : Math.min(ms, asked);
  }
  return ms;
}

function parseTimeout(text: string): number {
  const trimmed = text.trim();
  const n = Number(trimmed);
  if (!/^[0-9]{1,10}$/.test(trimmed) || n < 1 || n > MAX_TIMEOUT_MS) {
    throw new HttpError(400, 'ERR_BAD_REQUEST', `timeoutMs must be an integer 1–${MAX_TIMEOUT_MS}, not "${text}"`);
  }
  return n;
}

/** Checks a handler option that must be an integer ≥ 1 (or absent); a RangeError names it otherwise. */
export function positiveOption(name: string, value: number | undefined, max = Number.MAX_SAFE_INTEGER): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= max)) {
    throw new RangeError(`${name} must be an integer 1–${max}, got ${String(value)}`);
  }
}

/** Checks a `timeoutMs` handler option. */
export function timeoutOption(name: string, value: number | undefined): void {
  positiveOption(name, value, MAX_TIMEOUT_MS);
}

/**
 * Runs `work` with a signal that aborts when the client's does or after `timeoutMs`, whichever
 * comes first. At the deadline it rejects with TimeoutError at once, even if `work` ignores the
 * signal, so a stuck route still answers 503 in time.
 */
export async function withDeadline<T>(clientSignal: AbortSignal, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const follow = () => controller.abort(clientSignal.reason);
  if (clientSignal.aborted) follow();
  else clientSignal.addEventListener('abort', follow, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(timeoutMs);
      // Rejected before aborting: the race settles with the timeout, not the AbortedError it causes.
      reject(error);
      controller.abort(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    clientSignal.removeEventListener('abort', follow);
  }
}

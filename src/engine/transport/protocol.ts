import type { Remote } from 'comlink';
import { reviveError, serializeError, type SerializedError } from '../../errors.js';
import type { BatchColumns } from '../../outputs/postprocess.js';
import type { Manifest } from '../../schema/manifest.js';
import type { Prefetched } from '../loading/prefetch.js';
import type { BundleSource, LoadProgress } from '../loading/source.js';
import type { RunOptions } from '../core.js';
import type { EngineChoice, EngineName } from '../engines/session.js';
import type { AccuracySnapshot, Actual } from '../../monitor/accuracy.js';
import type { MatchedActuals, MonitorSnapshot } from '../../monitor/monitor.js';

/**
 * Every message between the page and the worker, in one place (docs/architecture.md tables them):
 * - comlink calls: the methods of {@link WorkerApi} (load, with its progress callback as a
 *   comlink proxy; monitoring, actuals, calibration, dispose), each error returned as data;
 * - bare messages: {@link RunRequest} / {@link RunReply} for every prediction, and the
 *   watchdog's {@link PING}, echoed.
 * Records go in by structured clone; answers come back as transferred typed-array columns.
 */

/** Load options that can cross postMessage (no functions). */
export interface WorkerLoadOptions {
  integrity?: string | undefined;
  cache?: boolean | undefined;
  cacheName?: string | undefined;
  wasmUrl?: string | undefined;
  monitor?: boolean | undefined;
  engine?: EngineChoice | undefined;
}

/** What a load answers: the bundle's manifest and the engine that runs its model. */
export interface Loaded {
  manifest: Manifest;
  engine: EngineName;
}

/** What the engine answers, inline or in the worker (the worker adds `load`). */
export interface EngineApi {
  run(records: readonly unknown[], options: RunOptions): Promise<BatchColumns>;
  monitorSnapshot(): MonitorSnapshot | Promise<MonitorSnapshot>;
  resetMonitor(): void | Promise<void>;
  reportActuals(actuals: readonly Actual[]): Promise<AccuracySnapshot>;
  calibrate(actuals: readonly Actual[] | null): Promise<number>;
  dispose(): Promise<void>;
}

/**
 * What the worker answers over comlink (`run` travels as a RunRequest instead). Actuals arrive
 * a slice at a time (`matchActuals`) and are applied at once, so no message or task is large.
 */
export interface WorkerApi extends Omit<EngineApi, 'run' | 'reportActuals' | 'calibrate'> {
  /** Restores a calibration in a worker started after a crash; 1 undoes it. */
  setLevelScale(scale: number): void;
  /** `prefetched`: what the page fetched while the worker started (loading/prefetch.ts). */
  load(source: BundleSource, options: WorkerLoadOptions, onProgress?: (p: LoadProgress) => void, prefetched?: Prefetched): Promise<Loaded>;
  matchActuals(actuals: readonly Actual[]): Promise<MatchedActuals>;
  reportMatched(matched: MatchedActuals): AccuracySnapshot;
  calibrateMatched(matched: MatchedActuals): number;
}

/**
 * Liveness check: a bare `null` message, which comlink ignores on both sides, echoed by the
 * worker as soon as it reads it. Not a comlink call: the watchdog sends one before every call to
 * an idle worker, and as a comlink call (proxy, id, promise and wire wrapping on both sides) it
 * added about a third to what a predict allocates, i.e. more young-generation collections.
 */
export const PING = null;

export function isPing(data: unknown): data is typeof PING {
  return data === PING;
}

/**
 * A `run` (every predict and each slice of a batch) as a bare message, not a comlink call.
 * comlink's wrapping per call (a proxy call, a wire value per argument, a random id string, on
 * both sides) was a third of what one predict allocated, so without it fewer young-generation
 * collections land inside a round trip.
 * It shares the worker's one message queue with comlink and the ping, which keeps them in order.
 * comlink's listeners skip these: a request has no `type`, a reply no `id`.
 */
export interface RunRequest {
  run: number;
  records: readonly unknown[];
  options: RunOptions;
}

export type RunReply = { ran: number; columns: BatchColumns } | { ran: number; error: SerializedError };

export function isRunReply(data: unknown): data is RunReply {
  return typeof (data as RunReply | null)?.ran === 'number';
}

function isRunRequest(data: unknown): data is RunRequest {
  return typeof (data as RunRequest | null)?.run === 'number';
}

/** What the worker's side needs of its global scope. */
interface WorkerScope {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  postMessage(message: unknown, options?: { transfer?: Transferable[] }): void;
}

/** The worker's side of the ping: echo each one at once. */
export function answerPings(scope: WorkerScope): void {
  scope.addEventListener('message', (event) => {
    if (isPing(event.data)) scope.postMessage(PING);
  });
}

/** The worker's side of `run`: answer each RunRequest with the columns (transferred) or the error of `run`, an async function. */
export function answerRuns(scope: WorkerScope, run: (records: readonly unknown[], options: RunOptions) => Promise<BatchColumns>): void {
  scope.addEventListener('message', (event) => {
    const request = event.data;
    if (!isRunRequest(request)) return;
    run(request.records, request.options).then(
      (columns) => reply(scope, { ran: request.run, columns }, transferablesOf(columns)),
      (error: unknown) => reply(scope, { ran: request.run, error: serializeError(error) }),
    );
  });
}

/** Posts a RunReply; one that cannot be sent still settles its call, as an error: the worker is alive, so no watchdog would. */
function reply(scope: WorkerScope, message: RunReply, transfer: ArrayBuffer[] = []): void {
  try {
    scope.postMessage(message, { transfer });
  } catch (error) {
    scope.postMessage({ ran: message.ran, error: serializeError(error) } satisfies RunReply);
  }
}

/** Buffers of a result to transfer instead of copy. */
function transferablesOf(columns: BatchColumns): ArrayBuffer[] {
  const buffers = [columns.values.buffer, columns.bands?.buffer, columns.rejected?.buffer, columns.probabilities?.buffer];
  return buffers.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

/**
 * An error thrown by a worker API method, as that method returns it. comlink sends a thrown value
 * through its one global 'throw' transfer handler, which belongs to any app on the page that uses
 * comlink itself; returned as plain data, a featurecast error keeps its class, `code` and details
 * while comlink's handlers stay exactly as comlink made them, in the page and in the worker.
 */
interface ReturnedError {
  featurecastError: SerializedError;
}

function isReturnedError(value: unknown): value is ReturnedError {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, 'featurecastError');
}

/** The worker's side: `api` with each method's error (thrown or rejected) returned as a ReturnedError instead; `rethrowing` undoes it on the page. */
export function returningErrors<T extends object>(api: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(api)) {
    if (typeof member !== 'function') {
      wrapped[name] = member;
      continue;
    }
    wrapped[name] = async (...args: unknown[]): Promise<unknown> => {
      try {
        return await (member as (...a: unknown[]) => unknown).apply(api, args);
      } catch (error) {
        return { featurecastError: serializeError(error) } satisfies ReturnedError;
      }
    };
  }
  return wrapped as T;
}

/** The page's side: each method of `remote` rejects, as its featurecast class, with the error its worker method returned (see `returningErrors`). */
export function rethrowing<T>(remote: Remote<T>): Remote<T> {
  return new Proxy(remote, {
    get(target, key, receiver) {
      const member: unknown = Reflect.get(target, key, receiver);
      // Symbols are comlink's own (releaseProxy, createEndpoint); `then` must stay comlink's too.
      if (typeof key !== 'string' || key === 'then' || typeof member !== 'function') return member;
      return (...args: unknown[]) => (member as (...a: unknown[]) => Promise<unknown>)(...args).then(rethrow);
    },
  });
}

function rethrow(value: unknown): unknown {
  if (isReturnedError(value)) throw reviveError(value.featurecastError);
  return value;
}

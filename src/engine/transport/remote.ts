import { proxy, transfer } from 'comlink';
import { AbortedError, DisposedError, ValidationError, WorkerCrashedError } from '../../errors.js';
import { ColumnsJoiner } from './join.js';
import { LiveWorker, neverAnswered } from './live-worker.js';
import type { BatchColumns } from '../../outputs/postprocess.js';
import type { Manifest } from '../../schema/manifest.js';
import { prefetchBundle, type Prefetched } from '../loading/prefetch.js';
import type { BundleSource, LoadProgress } from '../loading/source.js';
import type { RunOptions } from '../core.js';
import type { EngineName } from '../engines/session.js';
import type { EngineApi, Loaded, WorkerLoadOptions } from './protocol.js';
import type { AccuracySnapshot, Actual } from '../../monitor/accuracy.js';
import type { MatchedActuals, MonitorSnapshot } from '../../monitor/monitor.js';

/**
 * Main-thread side of the worker engine: spawns the module worker, splits big batches and long
 * lists of actuals so no single postMessage clone blocks either thread for long, and turns a
 * dead worker into `WorkerCrashedError` for the calls in flight and a fresh worker for the next
 * call.
 */

/**
 * Records (or actuals) per postMessage. Small enough that cloning one costs the main thread little
 * and the worker answers each well within the watchdog's silence limit; large enough that
 * per-message overhead is negligible. onnxruntime runs a message in one long task, several times
 * the tree engine's (docs/performance.md), so its messages are smaller.
 */
const RECORDS_PER_MESSAGE: Record<EngineName, number> = { trees: 2048, onnxruntime: 512 };

/** An engine as the predictor sees it: inline (ModelEngine) or in a worker (WorkerBackend). */
export interface Backend extends EngineApi {
  readonly manifest: Manifest;
  readonly engine: EngineName;
  /** `abandoned` true: the caller has settled already (timeout, abort, dispose); a backend may stop early, with any rejection. */
  run(records: readonly unknown[], options: RunOptions, abandoned?: () => boolean): Promise<BatchColumns>;
}

/** The buffers of what the page prefetched, moved to the worker rather than copied. */
function transferables(prefetched: Prefetched): ArrayBuffer[] {
  const buffers = [
    prefetched.manifest instanceof Uint8Array && prefetched.manifest.buffer,
    prefetched.ensemble,
    prefetched.model && 'bytes' in prefetched.model && prefetched.model.bytes.buffer,
  ];
  return [...new Set(buffers.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer))];
}

export class WorkerBackend implements Backend {
  readonly manifest: Manifest;
  readonly engine: EngineName;
  private live: LiveWorker | undefined;
  private restarting: Promise<LiveWorker> | undefined;
  /** Survives a worker restart; the drift counts of a dead worker do not. */
  private levelScale = 1;
  private disposed = false;

  private constructor(
    { manifest, engine }: Loaded,
    live: LiveWorker,
    private readonly source: BundleSource,
    private readonly options: WorkerLoadOptions,
  ) {
    this.manifest = manifest;
    this.engine = engine;
    this.live = live;
  }

  static async start(source: BundleSource, options: WorkerLoadOptions, onProgress?: (p: LoadProgress) => void): Promise<WorkerBackend> {
    // Fetched here while the worker starts: the load message waits for it, the worker meanwhile boots.
    const prefetching = prefetchBundle(source, options, onProgress);
    const live = new LiveWorker();
    try {
      const prefetched = await prefetching;
      const loaded = await live.call(
        (worker) =>
          worker.api.load(source, options, onProgress && proxy(onProgress), prefetched && transfer(prefetched, transferables(prefetched))),
        false,
      );
      return new WorkerBackend(loaded, live, source, options);
    } catch (error) {
      live.stop();
      throw error;
    }
  }

  async run(records: readonly unknown[], options: RunOptions, abandoned?: () => boolean): Promise<BatchColumns> {
    const perMessage = RECORDS_PER_MESSAGE[this.engine];
    if (records.length <= perMessage) return this.invoke((worker) => worker.run(records, options), abandoned);
    const joiner = new ColumnsJoiner(records.length);
    // Two messages in flight: the page clones the next slice while the worker runs this one. Each
    // clone still runs in a main-thread task of its own.
    let previous: { start: number; answer: Promise<BatchColumns> } | undefined;
    for (let start = 0; start < records.length; start += perMessage) {
      // The caller has its answer (an error) already; the rest would only keep the worker busy.
      if (abandoned?.()) throw new AbortedError('abandoned');
      const slice = records.slice(start, start + perMessage);
      const answer = this.invoke((worker) => worker.run(slice, { ...options, invalid: 'report' }), abandoned);
      // Awaited below, or left when an earlier slice failed: never an unhandled rejection.
      answer.catch(() => {});
      if (previous) joiner.add(await previous.answer, previous.start);
      previous = { start, answer };
    }
    if (previous) joiner.add(await previous.answer, previous.start);
    const merged = joiner.result();
    if (merged.issues.length && options.invalid !== 'report') throw new ValidationError(merged.issues);
    return merged;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const live = this.live;
    this.live = undefined;
    if (!live) return;
    try {
      await Promise.race([live.call((worker) => worker.api.dispose(), false), new Promise((resolve) => setTimeout(resolve, 1000))]);
    } catch {
      // A worker that is already dead has nothing left to release.
    }
    live.stop();
  }

  monitorSnapshot(): Promise<MonitorSnapshot> {
    return this.invoke((worker) => worker.api.monitorSnapshot());
  }

  resetMonitor(): Promise<void> {
    return this.invoke((worker) => worker.api.resetMonitor());
  }

  async reportActuals(actuals: readonly Actual[]): Promise<AccuracySnapshot> {
    const matched = await this.matchActuals(actuals);
    return this.invoke((worker) => worker.api.reportMatched(matched));
  }

  async calibrate(actuals: readonly Actual[] | null): Promise<number> {
    if (actuals === null) {
      await this.invoke((worker) => worker.api.setLevelScale(1));
      return (this.levelScale = 1);
    }
    const matched = await this.matchActuals(actuals);
    this.levelScale = await this.invoke((worker) => worker.api.calibrateMatched(matched));
    return this.levelScale;
  }

  /** Matches actuals in the worker a message (RECORDS_PER_MESSAGE) at a time: one message of 200,000 took the worker past the watchdog's silence limit. */
  private async matchActuals(actuals: readonly Actual[]): Promise<MatchedActuals> {
    const n = actuals.length;
    const joined: MatchedActuals = { predicted: new Float64Array(n), actual: new Float64Array(n), issues: [] };
    const perMessage = RECORDS_PER_MESSAGE[this.engine];
    for (let start = 0; start < n; start += perMessage) {
      const slice = actuals.slice(start, start + perMessage);
      const part = await this.invoke((worker) => worker.api.matchActuals(slice));
      joined.predicted.set(part.predicted, start);
      joined.actual.set(part.actual, start);
      if (part.hit) (joined.hit ??= new Uint8Array(n)).set(part.hit, start);
      for (const issue of part.issues) {
        issue.index += start;
        joined.issues.push(issue);
      }
    }
    return joined;
  }

  /**
   * Runs `work` on the live worker, starting one if needed. A call its worker died without
   * answering goes once to a new one (`neverAnswered`), unless its caller has given up on it.
   */
  private async invoke<T>(work: (worker: LiveWorker) => Promise<T>, abandoned?: () => boolean, retry = true): Promise<T> {
    const live = this.ready() ?? (await this.ensureLive());
    try {
      return await live.call(work);
    } catch (error) {
      if (error instanceof WorkerCrashedError && this.live === live) this.live = undefined;
      if (retry && neverAnswered(error) && !abandoned?.()) return this.invoke(work, abandoned, false);
      throw error;
    }
  }

  /** The live worker when there is one, without a promise: the common case of every call. */
  private ready(): LiveWorker | undefined {
    return this.disposed || this.live?.dead ? undefined : this.live;
  }

  private async ensureLive(): Promise<LiveWorker> {
    // After dispose() nothing may start a worker: not the next slice of a batch, not a restart.
    if (this.disposed) throw new DisposedError();
    if (this.live?.dead) this.live = undefined;
    if (this.live) return this.live;
    this.restarting ??= (async () => {
      const live = new LiveWorker();
      try {
        await live.call((worker) => worker.api.load(this.source, this.options), false);
        if (this.levelScale !== 1) await live.call((worker) => worker.api.setLevelScale(this.levelScale), false);
        if (this.disposed) throw new DisposedError();
        this.live = live;
        return live;
      } catch (error) {
        live.stop();
        throw error;
      } finally {
        this.restarting = undefined;
      }
    })();
    return this.restarting;
  }
}

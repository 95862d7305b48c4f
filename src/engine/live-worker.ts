import { releaseProxy, wrap, type Remote } from 'comlink';
import { WorkerCrashedError } from '../errors.js';
import type { WorkerApi } from './protocol.js';

/**
 * One running worker and the ways it can die. An uncaught error fires `error`; a worker that
 * was closed, killed or hangs fires nothing, so while calls are pending a watchdog listens for
 * any message from it (answers or pings) and declares it dead after SILENCE_MS of silence.
 * A busy worker is never silent that long because no task is large: batches travel in
 * messages of RECORDS_PER_MESSAGE records (engine/remote.ts), each answered on its own.
 */

const PING_EVERY_MS = 200;
/** Silence this long, with calls pending, means the worker is gone: they then reject within ~1 s. */
const SILENCE_MS = 750;

export class LiveWorker {
  readonly api: Remote<WorkerApi>;
  /** Rejects with WorkerCrashedError when the worker dies; never resolves. */
  readonly crashed: Promise<never>;
  private readonly worker: Worker;
  private fail: (error: WorkerCrashedError) => void = () => {};
  private pending = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private lastTick = 0;
  private pinging = false;

  constructor() {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'featurecast' });
    this.api = wrap<WorkerApi>(this.worker);
    this.crashed = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    this.crashed.catch(() => {});
    this.worker.addEventListener('message', () => {
      this.lastHeard = performance.now();
    });
    this.worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.die(`The prediction worker crashed: ${event.message || 'unknown error'}`);
    });
    this.worker.addEventListener('messageerror', () => this.die('The prediction worker sent a message that could not be read'));
  }

  /** Runs `work` against the worker; rejects with WorkerCrashedError if the worker dies meanwhile. */
  async call<T>(work: (api: Remote<WorkerApi>) => Promise<T>, watched = true): Promise<T> {
    this.pending++;
    if (watched && !this.timer) {
      this.lastHeard = this.lastTick = performance.now();
      this.timer = setInterval(() => this.tick(), PING_EVERY_MS);
    }
    try {
      return await Promise.race([work(this.api), this.crashed]);
    } finally {
      this.pending--;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.api[releaseProxy]();
    this.worker.terminate();
  }

  private tick(): void {
    const now = performance.now();
    if (this.pending === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    // A late tick means this (main) thread was blocked: the worker's answers may still be queued here.
    if (now - this.lastTick > 3 * PING_EVERY_MS) this.lastHeard = now;
    this.lastTick = now;
    if (now - this.lastHeard > SILENCE_MS) return this.die('The prediction worker stopped responding');
    if (this.pinging) return;
    this.pinging = true;
    this.api.ping().then(
      () => {
        this.pinging = false;
      },
      () => {},
    );
  }

  private die(message: string): void {
    this.fail(new WorkerCrashedError(message));
    this.stop();
  }
}

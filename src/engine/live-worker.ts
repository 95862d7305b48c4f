import { releaseProxy, wrap, type Remote } from 'comlink';
import { WorkerCrashedError } from '../errors.js';
import type { WorkerApi } from './protocol.js';

/**
 * One running worker and the ways it can die. An uncaught error fires `error`; a worker that
 * was closed, killed or hangs fires nothing, so while calls are pending a watchdog pings it and
 * declares it dead when a ping goes unanswered. Worker tasks are at most one message of ~8k
 * records (well under the limit), so a busy worker still answers in time.
 */

const PING_EVERY_MS = 200;
/** A ping unanswered this long means the worker is gone: pending calls then reject within ~1 s. */
const PONG_TIMEOUT_MS = 750;

export class LiveWorker {
  readonly api: Remote<WorkerApi>;
  /** Rejects with WorkerCrashedError when the worker dies; never resolves. */
  readonly crashed: Promise<never>;
  private readonly worker: Worker;
  private fail: (error: WorkerCrashedError) => void = () => {};
  private pending = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private pingSentAt: number | undefined;

  constructor() {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'featurecast' });
    this.api = wrap<WorkerApi>(this.worker);
    this.crashed = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    this.crashed.catch(() => {});
    this.worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.die(`The prediction worker crashed: ${event.message || 'unknown error'}`);
    });
    this.worker.addEventListener('messageerror', () => this.die('The prediction worker sent a message that could not be read'));
  }

  /** Runs `work` against the worker; rejects with WorkerCrashedError if the worker dies meanwhile. */
  async call<T>(work: (api: Remote<WorkerApi>) => Promise<T>, watched = true): Promise<T> {
    this.pending++;
    if (watched) this.timer ??= setInterval(() => this.tick(), PING_EVERY_MS);
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
    if (this.pending === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.pingSentAt = undefined;
      return;
    }
    if (this.pingSentAt === undefined) {
      const sent = (this.pingSentAt = performance.now());
      this.api.ping().then(
        () => {
          if (this.pingSentAt === sent) this.pingSentAt = undefined;
        },
        () => {},
      );
    } else if (performance.now() - this.pingSentAt > PONG_TIMEOUT_MS) {
      this.die('The prediction worker stopped responding');
    }
  }

  private die(message: string): void {
    this.fail(new WorkerCrashedError(message));
    this.stop();
  }
}

import { releaseProxy, wrap, type Remote } from 'comlink';
import { reviveError, WorkerCrashedError } from '../../errors.js';
import type { BatchColumns } from '../../outputs/postprocess.js';
import { isDataCloneError, sendable } from '../../schema/sendable.js';
import type { RunOptions } from '../core.js';
import { isPing, isRunReply, PING, rethrowing, type RunReply, type RunRequest, type WorkerApi } from './protocol.js';

/**
 * One running worker and the ways it can die. An uncaught error fires `error`; a worker that
 * was closed, killed or hangs fires nothing, so while calls are pending a watchdog listens for
 * any message from it (answers or pings) and declares it dead after SILENCE_MS of silence.
 * A busy worker is never silent that long because no task is large: batches travel in
 * messages of RECORDS_PER_MESSAGE records (transport/remote.ts), each answered on its own.
 */

/** Tick (and ping) interval. Detection takes up to SILENCE_MS + one tick: 100 ms keeps that under 1 s with room to spare. */
const PING_EVERY_MS = 100;
/** Silence this long, with calls pending, means the worker is gone: they then reject within ~1 s. */
const SILENCE_MS = 600;

/** Crash errors of calls their worker never answered, alone in flight (see `call`), so they may go once to a new one. */
const unanswered = new WeakSet<WorkerCrashedError>();

/** True when a call failed because its worker died before answering it, with no other call in flight. */
export function neverAnswered(error: unknown): boolean {
  return error instanceof WorkerCrashedError && unanswered.has(error);
}

function unansweredCopy(error: WorkerCrashedError): WorkerCrashedError {
  const copy = new WorkerCrashedError(error.message, error.details);
  unanswered.add(copy);
  return copy;
}

/** What proves a call reached its worker: the answer to its run, or the answer to a ping sent after `pingsBefore` pings. */
interface Delivery {
  pingsBefore: number;
  answered: boolean;
}

export class LiveWorker {
  readonly api: Remote<WorkerApi>;
  private readonly worker: Worker;
  /**
   * Rejecters of the calls in flight, for when the worker dies. Not a Promise.race against one
   * long-lived "crashed" promise: every call would leave a reaction on it for good.
   */
  private readonly inFlight = new Set<(error: WorkerCrashedError) => void>();
  private death: WorkerCrashedError | undefined;
  private stopped = false;
  private pending = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private lastTick = 0;
  /** Pings sent and answered: the worker answers them in order, so ping n is answered once `pongs >= n`. */
  private pings = 0;
  private pongs = 0;
  /** Runs sent and not yet answered, by request number, with the delivery their reply proves. */
  private readonly runs = new Map<
    number,
    { resolve: (columns: BatchColumns) => void; reject: (error: Error) => void; delivery: Delivery | undefined }
  >();
  private lastRun = 0;
  /** The delivery the next message must prove: a run's reply, or a ping's echo before anything else. */
  private unproven: Delivery | undefined;

  constructor() {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'featurecast' });
    this.worker = worker;
    // comlink's messages go through `post` as well; errors come back as values (protocol.ts).
    this.api = rethrowing(
      wrap<WorkerApi>({
        postMessage: (message: unknown, transfer?: Transferable[]) => this.post(message, transfer),
        addEventListener: worker.addEventListener.bind(worker),
        removeEventListener: worker.removeEventListener.bind(worker),
      }),
    );
    worker.addEventListener('message', (event) => {
      this.lastHeard = performance.now();
      const data: unknown = event.data;
      if (isPing(data)) this.pongs++;
      else if (isRunReply(data)) this.settleRun(data);
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.die(`The prediction worker crashed: ${event.message || 'unknown error'}`);
    });
    worker.addEventListener('messageerror', () => this.die('The prediction worker sent a message that could not be read'));
  }

  /** Crashed or stopped: nothing sent to it now will be answered. */
  get dead(): boolean {
    return this.death !== undefined || this.stopped;
  }

  /**
   * Runs `work` against the worker; rejects with WorkerCrashedError if the worker dies meanwhile.
   * If a watched call to an idle worker dies unanswered, it is marked `neverAnswered`, so it may go
   * once to a new worker: a worker the browser ended while idle is replaced unnoticed, at the
   * price of a second try for a call that itself ended its worker. A run is answered by its reply;
   * a comlink call goes right behind a ping, answered in order. (A ping before every run as well
   * was nearly half of a predict's round trip: docs/performance.md.)
   */
  async call<T>(work: (worker: LiveWorker) => Promise<T>, watched = true): Promise<T> {
    if (this.death) throw unansweredCopy(this.death);
    const delivery = watched && this.pending === 0 ? (this.unproven = { pingsBefore: this.pings, answered: false }) : undefined;
    // Silence counts from when an answer is awaited: the ticker may still run from earlier calls,
    // with nothing heard since, and the first answer (not a ping's echo now) can take a while.
    if (delivery) this.lastHeard = performance.now();
    this.pending++;
    if (watched && !this.timer) {
      this.lastHeard = this.lastTick = performance.now();
      this.timer = setInterval(() => this.tick(), PING_EVERY_MS);
    }
    try {
      return await new Promise<T>((resolve, reject) => {
        this.inFlight.add(reject);
        work(this).then(
          (value) => {
            this.inFlight.delete(reject);
            resolve(value);
          },
          (error: unknown) => {
            this.inFlight.delete(reject);
            reject(error);
          },
        );
      });
    } catch (error) {
      const proven = delivery && (delivery.answered || this.pongs > delivery.pingsBefore);
      if (delivery && !proven && error instanceof WorkerCrashedError) throw unansweredCopy(error);
      throw error;
    } finally {
      this.pending--;
    }
  }

  /** The engine's `run` in the worker, as a RunRequest (protocol.ts); use it inside `call` for the crash handling. */
  run(records: readonly unknown[], options: RunOptions): Promise<BatchColumns> {
    return new Promise((resolve, reject) => {
      const request: RunRequest = { run: ++this.lastRun, records, options };
      const delivery = this.unproven;
      this.unproven = undefined;
      this.post(request);
      this.runs.set(request.run, { resolve, reject, delivery });
    });
  }

  /**
   * Every message to the worker, comlink's included. One postMessage cannot copy (a Proxy, a
   * function in a record) goes once more as its sendable copy (schema/sendable.ts); any other
   * throw means nothing was sent, and the caller's promise rejects with it.
   */
  private post(message: unknown, transfer?: Transferable[]): void {
    if (this.unproven) {
      this.unproven = undefined;
      this.ping();
    }
    try {
      if (transfer) this.worker.postMessage(message, transfer);
      else this.worker.postMessage(message);
    } catch (error) {
      if (!isDataCloneError(error)) throw error;
      this.worker.postMessage(sendable(message), transfer ?? []);
    }
  }

  private settleRun(reply: RunReply): void {
    const pending = this.runs.get(reply.ran);
    if (!pending) return;
    this.runs.delete(reply.ran);
    if (pending.delivery) pending.delivery.answered = true;
    if ('error' in reply) pending.reject(reviveError(reply.error));
    else pending.resolve(reply.columns);
  }

  /** Idempotent. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    this.stopped = true;
    // Their callers are rejected through `call`; nothing will answer these any more.
    this.runs.clear();
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
    // A late tick means this (main) thread was blocked and the worker's answers may still be queued
    // behind it: judge on the next tick, after they are read. (Restarting the silence count here
    // instead delayed detection too much on a loaded machine.)
    const late = now - this.lastTick > 3 * PING_EVERY_MS;
    this.lastTick = now;
    if (!late && now - this.lastHeard > SILENCE_MS) {
      this.die('The prediction worker stopped responding');
      return;
    }
    if (this.pongs === this.pings) this.ping();
  }

  /** Sends a ping; returns its number. */
  private ping(): void {
    this.post(PING);
    this.pings++;
  }

  private die(message: string): void {
    if (this.death) return;
    const death = (this.death = new WorkerCrashedError(message));
    for (const reject of this.inFlight) reject(death);
    this.inFlight.clear();
    this.stop();
  }
}

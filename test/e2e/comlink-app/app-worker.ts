// The app's own comlink worker, unrelated to featurecast: it throws an Error subclass with an
// extra field, and calls back into the page, so both directions of comlink's error transfer run.
import { expose } from 'comlink';
import { seen, type SeenError } from './seen.js';

class AppError extends Error {
  override name = 'AppError';
  readonly extra = 42;
}

const api = {
  fail(): never {
    throw new AppError('the app worker failed');
  },
  /** Calls the page's callback, which throws: the page serializes that error, this worker reads it. */
  async callBack(callback: () => Promise<void>): Promise<SeenError> {
    try {
      await callback();
    } catch (error) {
      return seen(error);
    }
    throw new Error('expected the callback to throw');
  },
};

/** The app worker's API, for `wrap` on the page. */
export type AppWorkerApi = typeof api;

expose(api);

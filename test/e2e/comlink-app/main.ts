// Test page: an app that uses comlink itself, with a worker of its own (app-worker.ts). It loads
// featurecast only when asked (a dynamic import), so the test reads comlink's behaviour in this
// page before featurecast was ever imported, then again after featurecast has run and thrown.
import { proxy, transferHandlers, wrap } from 'comlink';
import type { AppWorkerApi } from './app-worker.js';
import { seen, type SeenError } from './seen.js';

class PageError extends Error {
  override name = 'PageError';
  readonly extra = 7;
}

const appWorker = wrap<AppWorkerApi>(new Worker(new URL('./app-worker.ts', import.meta.url), { type: 'module', name: 'app' }));
// comlink's own handlers, as comlink made them, before anything else on the page ran.
const pristine = new Map(transferHandlers);

/** The page's comlink errors, both ways: thrown by the app worker, and thrown by a page callback the worker calls. */
async function appErrors(): Promise<{ fromWorker: SeenError; fromPage: SeenError }> {
  let fromWorker: SeenError | undefined;
  try {
    await appWorker.fail();
  } catch (error) {
    fromWorker = seen(error);
  }
  const fromPage = await appWorker.callBack(
    proxy(async () => {
      throw new PageError('the page callback failed');
    }),
  );
  if (!fromWorker) throw new Error('expected the app worker to throw');
  return { fromWorker, fromPage };
}

/** True while comlink's handler map holds exactly the handlers it started with. */
function handlersUntouched(): boolean {
  return transferHandlers.size === pristine.size && [...pristine].every(([name, handler]) => transferHandlers.get(name) === handler);
}

const comlinkApp = {
  appErrors,
  handlersUntouched,
  loadFeaturecast: () => import('featurecast'),
};

declare global {
  interface Window {
    comlinkApp: typeof comlinkApp;
    comlinkAppReady: boolean;
  }
}

window.comlinkApp = comlinkApp;
window.comlinkAppReady = true;
document.getElementById('status')!.textContent = 'ready';

import type { LoadProgress } from 'featurecast';
import { formatBytes } from './format.js';
import { TypicalWeatherError } from './weather.js';

/** The loading panel (real byte counts) and the error panel: the page is never blank. */

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function showBytes(bar: HTMLProgressElement, text: HTMLElement, loaded: number, total: number | undefined): void {
  if (total && total > 0) {
    bar.max = total;
    bar.value = Math.min(loaded, total);
    text.textContent = `${formatBytes(loaded)} of ${formatBytes(total)}`;
  } else {
    bar.removeAttribute('value');
    text.textContent = formatBytes(loaded);
  }
}

const STEPS: Record<LoadProgress['stage'], string> = {
  manifest: 'Downloading the model description…',
  model: 'Downloading the model…',
  verify: 'Checking the model’s fingerprint (sha256)…',
  session: 'Starting the model in a background worker…',
  runtime: 'Downloading the WebAssembly runtime…',
  ready: 'Ready.',
};

/** Progress callback for `createPredictor`. */
export function onModelProgress(progress: LoadProgress): void {
  el('loading-step').textContent = STEPS[progress.stage];
  if (progress.stage === 'model' || progress.stage === 'verify') {
    showBytes(el('progress-model'), el('progress-model-text'), progress.loaded, progress.total);
  } else if (progress.stage === 'runtime') {
    // Only a model the built-in tree engine cannot run downloads onnxruntime's wasm.
    el('progress-wasm-row').hidden = false;
    showBytes(el('progress-wasm'), el('progress-wasm-text'), progress.loaded, progress.total);
  }
}

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  details?: { url?: string; status?: number };
}

/** Plain words for the failures a visitor can meet, by the library's stable error codes. */
function explain(error: ErrorLike): string {
  const status = error.details?.status;
  switch (error.code) {
    case 'ERR_BUNDLE_FETCH':
      return status === 404
        ? 'The model file was not found on the server (HTTP 404). The site may be incomplete or mid-update.'
        : `The model could not be downloaded${status ? ` (HTTP ${status})` : ''}. Check your connection and try again.`;
    case 'ERR_BUNDLE_INTEGRITY':
      return 'The downloaded model does not match its published fingerprint (sha256), so it was not used. The file may be damaged or out of date.';
    case 'ERR_BUNDLE_INVALID':
    case 'ERR_BUNDLE_VERSION':
    case 'ERR_BUNDLE_MISMATCH':
      return 'The model files do not fit together or are in a format this page does not understand.';
    case 'ERR_ENGINE':
    case 'ERR_WORKER_CRASHED':
      return 'Your browser could not start the model (WebAssembly in a Web Worker is needed).';
    default:
      return error instanceof TypicalWeatherError ? error.message : 'Something went wrong while starting the forecast.';
  }
}

export function showError(error: unknown): void {
  const e = (error ?? {}) as ErrorLike;
  el('loading').hidden = true;
  el('app').hidden = true;
  el('error').hidden = false;
  el('error-message').textContent = explain(e);
  const detail = [e.code ?? e.name, e.message].filter(Boolean).join(': ');
  el('error-detail').textContent = detail ? `Details: ${detail}` : '';
  el('retry').onclick = () => location.reload();
}

export function showApp(): void {
  el('loading').hidden = true;
  el('error').hidden = true;
  el('app').hidden = false;
}

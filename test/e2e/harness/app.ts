// The smallest app: a page that only loads a bundle and predicts imports createPredictor alone,
// so its bundler keeps only that. The bench measures first visits and warm starts here.
import { createPredictor } from 'featurecast';

declare global {
  interface Window {
    app: { createPredictor: typeof createPredictor };
    appReady: boolean;
  }
}

window.app = { createPredictor };
window.appReady = true;

// Test page for the e2e suite: exposes the package's public API on `window`, imported exactly
// as an app would import it. The tests drive it with page.evaluate.
import * as featurecast from 'featurecast';

declare global {
  interface Window {
    featurecast: typeof featurecast;
    harnessReady: boolean;
  }
}

window.featurecast = featurecast;
window.harnessReady = true;
document.getElementById('status')!.textContent = 'ready';

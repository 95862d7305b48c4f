import { pageConfig } from '../../vite-page.js';

/**
 * Builds the e2e harness page into test/e2e/harness/dist, the way an app would bundle featurecast;
 * app.html is the smallest app (it imports createPredictor only), for the bench's first visit.
 */
export default pageConfig(import.meta.url, ['index.html', 'app.html']);

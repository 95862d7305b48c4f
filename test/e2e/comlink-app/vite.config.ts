import { pageConfig } from '../../vite-page.js';

/** Builds the comlink app page into test/e2e/comlink-app/dist, the way an app would bundle featurecast. */
export default pageConfig(import.meta.url);

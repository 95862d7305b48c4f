import { pageConfig } from '../../vite-page.js';

/** Builds the e2e harness page into test/e2e/harness/dist, the way an app would bundle featurecast. */
export default pageConfig(import.meta.url);

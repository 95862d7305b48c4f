import { pageConfig } from '../../vite-page.js';

/** Builds the bench's reference page into test/bench/reference/dist. */
export default pageConfig(import.meta.url);

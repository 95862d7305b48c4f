import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Builds the e2e harness page into test/e2e/harness/dist, the way an app would bundle featurecast. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  worker: { format: 'es' },
});

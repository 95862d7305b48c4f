import { fileURLToPath } from 'node:url';
import type { UserConfig } from 'vite';
import { defineConfig } from 'vitest/config';
import { bikeActuals } from './demo/vite-plugin-actuals.js';

/** The demo site: `vite build` → demo/dist (relative base, so it works from any sub-path), `vite preview`. */
const demoSite: UserConfig = {
  root: fileURLToPath(new URL('./demo', import.meta.url)),
  base: './',
  plugins: [bikeActuals()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  worker: { format: 'es' },
  // The library's worker and onnxruntime's wasm URL must stay as written for Vite to emit them.
  optimizeDeps: { exclude: ['featurecast', 'onnxruntime-web'] },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  server: { host: '127.0.0.1' },
};

export default defineConfig(({ mode }) => ({
  // vitest runs in mode "test" and keeps the repo root for its include globs.
  ...(mode === 'test' ? {} : demoSite),
  test: {
    include: ['test/unit/**/*.test.ts'],
    // A focused test would silently drop the rest of the suite, on any machine, not only in CI.
    allowOnly: false,
    testTimeout: 30_000,
  },
}));

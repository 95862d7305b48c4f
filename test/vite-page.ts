import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

/** Vite config of a test page in the folder of `configUrl` (its `import.meta.url`), built into its `dist/`; `pages` lists its HTML files when there is more than index.html. */
export function pageConfig(configUrl: string, pages?: readonly string[]): UserConfig {
  const root = fileURLToPath(new URL('.', configUrl));
  const input = pages && Object.fromEntries(pages.map((page) => [page.replace(/\.html$/, ''), fileURLToPath(new URL(page, configUrl))]));
  return defineConfig({
    root,
    base: './',
    logLevel: 'warn',
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      target: 'es2022',
      reportCompressedSize: false,
      ...(input ? { rollupOptions: { input } } : {}),
    },
    worker: { format: 'es' },
  });
}

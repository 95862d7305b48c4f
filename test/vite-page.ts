import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

/** Vite config of a test page in the folder of `configUrl` (its `import.meta.url`), built into its `dist/`. */
export function pageConfig(configUrl: string): UserConfig {
  return defineConfig({
    root: fileURLToPath(new URL('.', configUrl)),
    base: './',
    logLevel: 'warn',
    build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
    worker: { format: 'es' },
  });
}

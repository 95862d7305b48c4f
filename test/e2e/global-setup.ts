import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tinyBundle } from '../fixtures/tiny-bundle.js';
import { startStaticServer } from './server.js';

/**
 * Builds what the tests load (the library with tsc, the demo site, the harness page, the comlink
 * app page), writes the tiny fixture bundle to a temp folder, and serves them from one static server on
 * 127.0.0.1. Its URL reaches the test workers as E2E_BASE_URL. `E2E_SKIP_BUILD=1` reuses the
 * last build. Returns the teardown, so the server and the temp folder go when the run ends.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const repo = resolve(import.meta.dirname, '../..');
  if (process.env.E2E_SKIP_BUILD !== '1') {
    const run = (args: string[]) => execFileSync('npx', args, { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
    run(['vite', 'build', '--logLevel', 'warn']);
    run(['vite', 'build', '--config', 'test/e2e/harness/vite.config.ts']);
    run(['vite', 'build', '--config', 'test/e2e/comlink-app/vite.config.ts']);
  }
  const fixtures = mkdtempSync(join(tmpdir(), 'featurecast-e2e-'));
  const { manifest, model } = await tinyBundle();
  writeFileSync(join(fixtures, 'manifest.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(fixtures, 'model.onnx'), model);
  const server = await startStaticServer({
    demo: join(repo, 'demo/dist'),
    harness: join(repo, 'test/e2e/harness/dist'),
    'comlink-app': join(repo, 'test/e2e/comlink-app/dist'),
    fixtures,
  });
  process.env.E2E_BASE_URL = server.url;
  return async () => {
    await server.close();
    rmSync(fixtures, { recursive: true, force: true });
  };
}

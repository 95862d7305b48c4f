import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The published shape: `import ... from 'featurecast'` resolves inside the repo through the
// package's own "exports" (dist/, emitted by `npm run build`, which `npm test` runs first).
const root = fileURLToPath(new URL('../../', import.meta.url));

describe('package entry', () => {
  it('a script at the repo root imports featurecast and the bundled bike model by package name', () => {
    expect(existsSync(`${root}dist/index.js`), 'dist/ is missing: run `npm run build` first').toBe(true);
    const script = `
      import { createPredictor, ValidationError } from 'featurecast';
      import { bikeDaily } from 'featurecast/bike-daily';
      const fromPath = await createPredictor('models/bike-daily/manifest.json');
      const fromModule = await createPredictor(bikeDaily);
      const record = { date: '2012-06-01', temperature: 24.5, feelsLike: 27, humidity: 60, windSpeed: 12, weather: 'clear' };
      const a = await fromPath.predict(record);
      const b = await fromModule.predict(record);
      const bad = await fromPath.predict({ ...record, weather: 'snow' }).catch((e) => e);
      console.log(JSON.stringify({ a, b, runtime: fromPath.runtime, badIsValidation: bad instanceof ValidationError, code: bad.code }));
      await fromPath.dispose(); await fromModule.dispose();
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout);
    expect(out.runtime).toBe('inline');
    expect(out.a).toEqual(out.b);
    expect(out.a.rentals).toBeGreaterThan(0);
    expect(out.badIsValidation).toBe(true);
    expect(out.code).toBe('ERR_VALIDATION');
  });
});

// After `tsc -p models`: each model's bundle (manifest, model, extras) beside its compiled entry, where `new URL('./manifest.json', import.meta.url)` points.
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';

for (const model of readdirSync(new URL('.', import.meta.url), { withFileTypes: true })) {
  const dir = new URL(`${model.name}/`, import.meta.url);
  if (!model.isDirectory() || !existsSync(new URL('manifest.json', dir))) continue;
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8'));
  for (const file of ['manifest.json', manifest.model.file, ...Object.values(manifest.extras ?? {})]) {
    copyFileSync(new URL(file, dir), new URL(`../dist/models/${model.name}/${file}`, import.meta.url));
  }
}

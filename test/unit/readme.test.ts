import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readmeBlocks } from '../fixtures/readme.js';
import { runTsx } from '../fixtures/run-tsx.js';

/**
 * The README's TypeScript samples, run as a user would run them: each block as its own module
 * inside this package (so `featurecast` resolves to the built package by its exports), through
 * tsx. Every `console.log(x); // shown` must print what the comment shows (`…` stands for more
 * digits). The Workers script is run in workerd by workerd.test.ts.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Inside the package, not under node_modules or /tmp: a package imports itself by name only from within.
const dir = mkdtempSync(join(ROOT, '.readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What each `console.log(…); // shown` promises, as patterns for one output line. */
function promised(block: string): RegExp[] {
  return [...block.matchAll(/console\.log\(.*\);\s*\/\/ (.+)$/gm)].map((m) => {
    const escaped = (m[1] ?? '')
      .trim()
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/…/g, '\\d*');
    return new RegExp(`^${escaped}$`);
  });
}

const blocks = readmeBlocks('ts').filter((b) => !b.startsWith('// src/worker.ts'));

describe('README samples', () => {
  it('has the samples this test runs', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  blocks.forEach((block, i) => {
    it(`sample ${i + 1} (${block
      .split('\n')
      .find((l) => l.startsWith('import'))
      ?.slice(0, 60)}…) runs and prints what it says`, async () => {
      const file = join(dir, `sample-${i + 1}.ts`);
      writeFileSync(file, block);
      const { code, stdout, stderr } = await runTsx(file, [], { cwd: ROOT });
      expect(stderr.replace(/npm warn.*\n/g, ''), stderr).toBe('');
      expect(code).toBe(0);
      const lines = stdout.split('\n');
      let at = 0;
      for (const pattern of promised(block)) {
        const found = lines.findIndex((line, k) => k >= at && pattern.test(line));
        expect(found, `no line matching ${pattern} after line ${at} in:\n${stdout}`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
    }, 60_000);
  });
});

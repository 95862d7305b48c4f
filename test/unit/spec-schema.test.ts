import { readFileSync, writeFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { pipelineSpec } from '../../src/build/spec.js';
import { manifestSchema } from '../../src/schema/manifest.js';

// docs/pipeline-spec.schema.json and docs/bundle-format.schema.json are generated from the zod
// schemas, so editors and the docs validate exactly what `fit` and the loader accept.
// After changing either: UPDATE_SCHEMA=1 npx vitest run test/unit/spec-schema.test.ts

describe('the JSON Schemas generated from zod', () => {
  for (const [file, title, schema] of [
    ['pipeline-spec.schema.json', 'featurecast pipeline spec', pipelineSpec],
    ['bundle-format.schema.json', 'featurecast bundle manifest (format 1)', manifestSchema],
  ] as const) {
    it(`docs/${file} is ${title}, generated`, () => {
      const path = new URL(`../../docs/${file}`, import.meta.url);
      const generated = `${JSON.stringify({ title, ...z.toJSONSchema(schema, { io: 'input' }) }, null, 2)}\n`;
      if (process.env.UPDATE_SCHEMA === '1') writeFileSync(path, generated);
      expect(readFileSync(path, 'utf8')).toBe(generated);
    });
  }
});

import { readFileSync, writeFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { pipelineSpec } from '../../src/build/spec.js';

// docs/pipeline-spec.schema.json is generated from the zod spec, so editors validate exactly what `fit` accepts.
// After changing the spec: UPDATE_SCHEMA=1 npx vitest run test/unit/spec-schema.test.ts
const path = new URL('../../docs/pipeline-spec.schema.json', import.meta.url);

describe('the JSON Schema shipped for editors', () => {
  it('is the zod pipeline spec, generated', () => {
    const generated = `${JSON.stringify({ title: 'featurecast pipeline spec', ...z.toJSONSchema(pipelineSpec, { io: 'input' }) }, null, 2)}\n`;
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(path, generated);
    expect(readFileSync(path, 'utf8')).toBe(generated);
  });
});

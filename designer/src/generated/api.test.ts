import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ES module script without types
import { documentPath, generate, typesPath } from '../../scripts/api-types.mjs';

describe('generated API types', () => {
  it('are what openapi.json generates (run `npm run api-types` after updating openapi.json)', async () => {
    const expected = await generate(await readFile(documentPath, 'utf8'));
    expect(await readFile(typesPath, 'utf8')).toBe(expected);
  });
});

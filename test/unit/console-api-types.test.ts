import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { API_TYPES_FILE, apiTypesSource } from '../../scripts/gen-api-types.js';

test('the console’s API types are generated from the current OpenAPI document (run `npm run gen:api` when this fails)', async () => {
  expect(readFileSync(API_TYPES_FILE, 'utf8')).toBe(await apiTypesSource());
});

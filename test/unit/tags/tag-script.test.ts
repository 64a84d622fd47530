import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTag, TAG_SCRIPT_FILE, tagModule } from '../../../scripts/build-tag.js';

describe('functions/tag/tag-script.ts', () => {
  it('is the current build of functions/tag/tag.ts (run `npm run build:tag` after editing the tag)', async () => {
    expect(readFileSync(TAG_SCRIPT_FILE, 'utf8')).toBe(tagModule(await buildTag()));
  });
});

import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLE_OPTIONS } from '../../infra/constructs/placard-function.js';

/**
 * The Lambdas are bundled with the construct's own esbuild settings; this bundles a domain error
 * with them and runs it, as the deployed function would. The oracle is the class name as written
 * in the source.
 */
describe('Lambda bundle settings', () => {
  it('keep class names through minification, so domain errors keep their name', async () => {
    const out = await build({
      stdin: {
        contents: "import { ConflictError } from './functions/core/shared/errors.ts'; export const name = new ConflictError('taken').name;",
        resolveDir: new URL('../..', import.meta.url).pathname,
        loader: 'ts',
      },
      bundle: true,
      write: false,
      platform: 'node',
      minify: BUNDLE_OPTIONS.minify,
      keepNames: BUNDLE_OPTIONS.keepNames,
      target: BUNDLE_OPTIONS.target,
      format: 'esm',
    });
    const code = out.outputFiles[0]?.text ?? '';
    const mod = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as { name: string };
    expect(mod.name).toBe('ConflictError');
  });
});

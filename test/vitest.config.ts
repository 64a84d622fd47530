import { defineConfig } from 'vitest/config';

/**
 * Two projects: `slow` holds the suites that take minutes (thousands of requests, simulated days,
 * model runs that read the whole table each step, JVM and browser starts); `fast` holds the rest.
 * `npm test` runs both; `npm run test:fast` runs `fast` alone. A slow suite is one whose file
 * ends in `.slow.test.ts` or that lives under test/e2e or test/browser.
 */
const SLOW = ['test/e2e/**/*.test.ts', 'test/browser/**/*.test.ts', 'test/**/*.slow.test.ts'];

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    projects: [
      { extends: true, test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: SLOW } },
      { extends: true, test: { name: 'slow', include: SLOW } },
    ],
  },
});

import { existsSync } from 'node:fs';

/**
 * Debian's chromium, which `.ci/run` installs when missing (playwright's own browser download is
 * not used). CHROMIUM_PATH points elsewhere. Missing → the browser tests fail saying so.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it (sudo apt-get install -y chromium) or set CHROMIUM_PATH`);

export const chromiumArgs = ['--headless', '--no-sandbox'];

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The console is served under /console/ by `npm start` and by the stack, on the API's own origin. */
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
  logLevel: 'warn',
});

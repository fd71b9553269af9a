import { defineConfig } from 'vite';

// Relative asset paths, so that dist/ works at / of the standalone server and in any folder of a static host.
export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022', modulePreload: { polyfill: false } },
  server: { proxy: { '/api': { target: 'http://localhost:7071', ws: true }, '/dev': 'http://localhost:7071' } },
});

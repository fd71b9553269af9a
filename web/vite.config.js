import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vite';

// dist/.build-stamp, written after a successful build, tells `dotnet build` (target BuildWebClient of
// Messaging.Functions.csproj) that dist is newer than every source. Dot files are never served.
const buildStamp = {
  name: 'build-stamp',
  apply: 'build',
  writeBundle(options) {
    writeFileSync(join(options.dir, '.build-stamp'), `${new Date().toISOString()}\n`);
  },
};

// Relative asset paths, so that dist/ works at / of the standalone server and in any folder of a static host.
export default defineConfig({
  plugins: [buildStamp],
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022', modulePreload: { polyfill: false } },
  server: { proxy: { '/api': { target: 'http://localhost:7071', ws: true }, '/dev': 'http://localhost:7071' } },
});

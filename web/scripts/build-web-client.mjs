// Builds web/dist for `dotnet build` (target BuildWebClient in src/Messaging.Functions/Messaging.Functions.csproj):
// `npm ci` when node_modules is missing or older than package.json / package-lock.json, then `npm run build`
// (whose vite config writes dist/.build-stamp on success).
//
// One build at a time: parallel builds of the server project (two configurations, or a solution build that
// reaches it through several references) would otherwise run npm together over the same node_modules and dist.
// The lock is a directory (mkdir is atomic) holding the owner's pid; a lock whose owner is gone is taken over.
// A build that waited for the lock and finds a stamp written meanwhile uses that build instead of repeating it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(web, '.build-lock');
const stamp = join(web, 'dist', '.build-stamp');
const lockWait = 10 * 60_000;
const started = Date.now();

const mtime = path => (existsSync(path) ? statSync(path).mtimeMs : 0);
const sleep = ms => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function ownerIsAlive() {
  let pid;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    // Just created, pid not written yet: alive unless the lock is old.
    return Date.now() - mtime(lock) < 30_000;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function acquireLock() {
  let waited = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return waited;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    if (!ownerIsAlive()) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!waited) console.log('web client: another build is running npm in web/; waiting for it');
    waited = true;
    if (Date.now() - started > lockWait) throw new Error(`web client: ${lock} is still held after ${lockWait / 60_000} minutes; delete it if no build is running`);
    sleep(500);
  }
}

function npm(...args) {
  console.log(`web client: npm ${args.join(' ')}`);
  const result = spawnSync('npm', args, { cwd: web, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) throw new Error(`web client: npm ${args.join(' ')} failed (${result.error?.message ?? `exit code ${result.status}`})`);
}

const waited = acquireLock();
try {
  if (waited && mtime(stamp) >= started) {
    console.log('web client: built by the parallel build');
  } else {
    const installed = mtime(join(web, 'node_modules', '.package-lock.json'));
    if (installed === 0 || installed < mtime(join(web, 'package-lock.json')) || installed < mtime(join(web, 'package.json'))) {
      npm('ci', '--no-audit', '--no-fund');
    }
    npm('run', 'build');
    if (!existsSync(stamp)) throw new Error(`web client: npm run build succeeded but wrote no ${stamp}`);
  }
} catch (error) {
  console.error(error.message);
  process.exitCode = 1;
} finally {
  rmSync(lock, { recursive: true, force: true });
}

// Test support: the standalone server as a child process (so it can be killed and restarted for
// real) and headless Debian Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const screenshotDir = join(repoRoot, 'artifacts', 'screenshots');

/** The server built by `dotnet build` / `dotnet test`: E2E_SERVER_DLL, else the newest of Release and Debug. */
export function serverDll() {
  if (process.env.E2E_SERVER_DLL) return process.env.E2E_SERVER_DLL;
  const candidates = ['Release', 'Debug']
    .map(c => join(repoRoot, 'src', 'Messaging.Functions', 'bin', c, 'net10.0', 'Messaging.Functions.dll'))
    .filter(existsSync)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!candidates.length) throw new Error('Build the server first: dotnet build src/Messaging.Functions');
  return candidates[0];
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

export const sleep = ms => new Promise(r => setTimeout(r, ms));

export class ServerProcess {
  constructor() {
    this.dataPath = mkdtempSync(join(tmpdir(), 'messaging-e2e-'));
    this.output = [];
  }

  get url() { return `http://127.0.0.1:${this.port}`; }

  async start() {
    this.port ??= await freePort();
    const child = spawn('dotnet', [serverDll(), '--urls', this.url], {
      cwd: this.dataPath,
      // No signing key: the server generates its development key under the data path (kept across
      // restarts) and, on loopback only, offers development sign-in.
      env: {
        ...process.env,
        // The tests seed history through the API faster than a person types: lift the send limit.
        Messaging__SendsPerSecond: '0',
        Messaging__DataPath: this.dataPath,
        Logging__LogLevel__Default: 'Warning',
        DOTNET_NOLOGO: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = chunk => { this.output.push(chunk.toString()); if (this.output.length > 200) this.output.shift(); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${this.output.join('')}`);
      try {
        const response = await fetch(`${this.url}/api/health`, { signal: AbortSignal.timeout(2000) });
        if (response.ok) return this;
      } catch { /* not yet */ }
      await sleep(150);
    }
    throw new Error(`server did not become healthy:\n${this.output.join('')}`);
  }

  /** SIGKILL: no graceful shutdown. */
  async kill() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode) return;
    const exited = new Promise(r => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose() {
    await this.kill();
    rmSync(this.dataPath, { recursive: true, force: true });
  }

  async token(userId, name) {
    const response = await fetch(`${this.url}/dev/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId, name }),
    });
    if (!response.ok) throw new Error(`dev token: ${response.status}`);
    return (await response.json()).token;
  }

  async api(token, method, path, body) {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? null : response.json();
  }
}

export function executablePath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: executablePath(),
    headless: true,
    // playwright-core gives every launch a fresh temporary profile (its own --user-data-dir).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** A new browser context (its own storage: one user) with a page, errors collected. */
export async function newUser(browser, baseUrl, viewport = { width: 1100, height: 760 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, baseURL: baseUrl });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', error => page.errors.push(error));
  page.on('console', message => { if (message.type() === 'error') page.errors.push(message.text()); });
  page.on('dialog', dialog => dialog.accept());
  page.setDefaultTimeout(15_000);
  return { context, page };
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

/** Polls until fn returns a truthy value. */
export async function until(fn, { timeout = 15_000, interval = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    await sleep(interval);
  }
  throw new Error(`timed out waiting for ${message} (last: ${last})`);
}

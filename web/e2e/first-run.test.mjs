// First run, as a new user does it: the server started with nothing configured (no signing key, no
// environment, a fresh folder), the URL taken from its ready line, two users signing in by name in
// two windows and chatting both ways. Only the port differs from the default (7071 may be taken).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, launchBrowser, serverDll, until } from './support.mjs';

// Only what any shell has: no Auth__*, Messaging__*, DOTNET_ENVIRONMENT or ASPNETCORE_* settings.
function freshEnvironment() {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'DOTNET_ROOT', 'DOTNET_CLI_HOME'];
  return Object.fromEntries(keep.filter(name => process.env[name] !== undefined).map(name => [name, process.env[name]]));
}

describe('first run with no configuration', () => {
  const folder = mkdtempSync(join(tmpdir(), 'messaging-first-run-'));
  let server;
  let output = '';
  let url;
  let browser;

  before(async () => {
    const port = await freePort();
    server = spawn('dotnet', [serverDll(), '--urls', `http://localhost:${port}`], { cwd: folder, env: freshEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout.on('data', chunk => { output += chunk; });
    server.stderr.on('data', chunk => { output += chunk; });
    url = await until(() => {
      if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}:\n${output}`);
      return /Ready: open (\S+) in a browser/.exec(output)?.[1];
    }, { timeout: 60_000, message: `the ready line (output so far:\n${output})` });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise(resolve => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(folder, { recursive: true, force: true });
  });

  it('says where to go and that development sign-in is on', () => {
    assert.equal(url, new URL(url).origin + '/');
    assert.match(new URL(url).hostname, /^localhost$/);
    assert.match(output, /Development sign-in is on/);
  });

  it('lets two users sign in by name in two windows and chat both ways', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const errors = [];
    const open = async () => {
      const page = await context.newPage();
      page.on('pageerror', error => errors.push(error.message));
      page.setDefaultTimeout(15_000);
      await page.goto(url);
      return page;
    };
    const signIn = async (page, userId, name) => {
      await page.locator('#dev-signin').waitFor();
      await page.locator('#signin-user').fill(userId);
      await page.locator('#signin-name').fill(name);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#connection[data-state="online"]').waitFor();
    };
    const send = async (page, text) => {
      await page.locator('#composer-text').fill(text);
      await page.locator('#composer-text').press('Enter');
    };
    const message = (page, text) => page.locator('#messages li.message', { hasText: text });

    // Two windows of one browser are two users (each keeps its token in sessionStorage).
    const ann = await open();
    const ben = await open();
    await signIn(ann, 'ann', 'Ann');
    await signIn(ben, 'ben', 'Ben');

    await ann.getByText('New conversation', { exact: true }).click();
    await ann.getByRole('radio', { name: 'Direct' }).check();
    await ann.locator('#new-user').fill('ben');
    await ann.getByRole('button', { name: 'Start' }).click();
    await ann.locator('#chat:not([hidden])').waitFor();

    await send(ann, 'Hello Ben, first message on a fresh clone');
    await ben.locator('#conversation-list button', { hasText: 'ann' }).click();
    await message(ben, 'Hello Ben, first message on a fresh clone').waitFor();

    await send(ben, 'Hi Ann, it works');
    await message(ann, 'Hi Ann, it works').waitFor();
    await until(async () => (await message(ann, 'Hi Ann, it works').count()) === 1, { message: 'one copy of the reply' });

    assert.deepEqual(errors, []);
    await context.close();
  });
});

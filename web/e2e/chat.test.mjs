// End-to-end: the built web client served by the standalone server, two users in two browser
// contexts of headless Chromium. Run: `npm run test:e2e` (after `npm run build` and `dotnet build`).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newUser, screenshot, ServerProcess, until } from './support.mjs';
import { conversationButton, message, send, signIn, startConversation } from './ui.mjs';

const server = new ServerProcess();
let browser;
let alice;
let bob;

describe('web client', () => {
  before(async () => {
    await server.start();
    browser = await launchBrowser();
    alice = await newUser(browser, server.url);
    bob = await newUser(browser, server.url);
  });

  after(async () => {
    await browser?.close();
    await server.dispose();
  });

  it('serves the page with a strict CSP, nosniff and a development sign-in', async () => {
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy'), /script-src 'self'/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.match(await page.text(), /<title>Messaging<\/title>/);
    const fallback = await fetch(`${server.url}/some/client/path`);
    assert.equal(fallback.status, 200);
    const api404 = await fetch(`${server.url}/api/nothing-here`);
    assert.equal(api404.status, 404);
    assert.equal((await fetch(`${server.url}/dev/token`)).status, 204);
  });

  it('two users sign in by name and start a direct conversation', async () => {
    await alice.page.goto('/');
    await alice.page.locator('#dev-signin').waitFor();
    await screenshot(alice.page, 'sign-in');
    await signIn(alice.page, 'alice', 'Alice');
    await signIn(bob.page, 'bob', 'Bob');
    await startConversation(alice.page, 'direct', { userId: 'bob' });
    await conversationButton(alice.page, 'bob').waitFor();
    // bob learns about it live
    await conversationButton(bob.page, 'alice').waitFor();
  });

  it('exchanges messages live with unread badges, typing indicator and read receipts', async () => {
    // bob is not looking at the conversation: alice types, then sends
    await alice.page.locator('#composer-text').pressSequentially('Hi Bob', { delay: 20 });
    await send(alice.page, 'Hi Bob, how are you?');
    await until(async () => (await conversationButton(bob.page, 'alice').locator('.badge').textContent()) === '1', { message: 'unread badge 1' });
    assert.match(await conversationButton(bob.page, 'alice').locator('.last-message').textContent(), /Hi Bob, how are you\?/);
    await screenshot(bob.page, 'conversation-list');
    await alice.page.locator('#messages li.message.mine .receipt', { hasText: 'Sent' }).waitFor();

    // bob opens it: the badge goes, alice sees "Seen by bob"
    await conversationButton(bob.page, 'alice').click();
    await message(bob.page, 'Hi Bob, how are you?').waitFor();
    await until(async () => (await conversationButton(bob.page, 'alice').locator('.badge').count()) === 0, { message: 'badge cleared' });
    await alice.page.locator('#messages .receipt', { hasText: 'Seen by bob' }).waitFor();

    // bob types: alice sees the indicator, which goes away when his message arrives
    await bob.page.locator('#composer-text').pressSequentially('Fine', { delay: 30 });
    await alice.page.locator('#typing', { hasText: 'bob is typing…' }).waitFor();
    await screenshot(alice.page, 'typing');
    await bob.page.locator('#composer-text').fill('Fine, thanks! Shipping today.');
    await bob.page.locator('#composer-text').press('Enter');
    await message(alice.page, 'Fine, thanks! Shipping today.').waitFor();
    await until(async () => (await alice.page.locator('#typing').textContent()) === '', { message: 'typing indicator cleared' });
    await bob.page.locator('#messages .receipt', { hasText: 'Seen by alice' }).waitFor();
    await screenshot(alice.page, 'chat');
  });

  it('edits and deletes own messages, live on the other side', async () => {
    await send(alice.page, 'Meeting at 10');
    await message(bob.page, 'Meeting at 10').waitFor();
    const mine = message(alice.page, 'Meeting at 10');
    await mine.getByRole('button', { name: 'Edit message' }).click();
    const editor = alice.page.getByRole('textbox', { name: 'Edit message' });
    await editor.fill('Meeting at 11');
    await editor.press('Enter');
    await message(bob.page, 'Meeting at 11').locator('.edited').waitFor();
    // only own messages can be edited
    assert.equal(await message(bob.page, 'Meeting at 11').getByRole('button', { name: 'Edit message' }).count(), 0);

    await message(alice.page, 'Meeting at 11').getByRole('button', { name: 'Delete message' }).click();
    await until(async () => (await message(bob.page, 'Meeting at 11').count()) === 0, { message: 'message gone on bob' });
    await bob.page.locator('#messages li.is-deleted', { hasText: 'Message deleted' }).waitFor();
  });

  it('uploads a file and the other user downloads it', async () => {
    const content = `report ${Date.now()}\n`.repeat(200);
    const path = join(tmpdir(), `report-${process.pid}.txt`);
    await writeFile(path, content);
    await alice.page.locator('#composer-file').setInputFiles(path);
    await alice.page.locator('#pending-files li:not(.uploading)').waitFor();
    await alice.page.locator('#composer-text').fill('The report');
    await alice.page.locator('#composer-text').press('Enter');
    const file = bob.page.locator('#messages li.message', { hasText: 'The report' }).getByRole('button', { name: /Download report-/ });
    await file.waitFor();
    await screenshot(bob.page, 'attachment');
    const [download] = await Promise.all([bob.page.waitForEvent('download'), file.click()]);
    assert.match(download.suggestedFilename(), /^report-\d+\.txt$/);
    assert.equal(await readFile(await download.path(), 'utf8'), content);
  });

  it('starts a group, renames it, adds and removes participants', async () => {
    await startConversation(alice.page, 'group', { title: 'Launch', participants: 'bob' });
    await conversationButton(bob.page, 'Launch').waitFor();
    await alice.page.getByRole('button', { name: 'Details' }).click();
    await alice.page.getByLabel('Title', { exact: true }).fill('Launch day');
    await alice.page.getByRole('button', { name: 'Rename' }).click();
    await conversationButton(bob.page, 'Launch day').waitFor();
    await alice.page.getByLabel('Add participant (user id)').fill('carol');
    await alice.page.getByRole('button', { name: 'Add', exact: true }).click();
    await alice.page.locator('#participant-list li', { hasText: 'carol' }).waitFor();
    await screenshot(alice.page, 'details');
    await alice.page.getByRole('button', { name: 'Remove carol' }).click();
    await until(async () => (await alice.page.locator('#participant-list li', { hasText: 'carol' }).count()) === 0, { message: 'carol removed' });
    // bob sees the participant change in the subtitle when he opens it
    await conversationButton(bob.page, 'Launch day').click();
    await until(async () => !(await bob.page.locator('#chat-subtitle').textContent()).includes('carol'), { message: 'subtitle without carol' });
  });

  it('pages the members of a large group into the details panel with "Show more"', async () => {
    const others = Array.from({ length: 149 }, (_, i) => `member-${String(i).padStart(3, '0')}`);
    const token = await server.token('alice', 'Alice');
    await server.api(token, 'POST', '/api/messaging/conversations/', { title: 'Crowd', participantIds: others });
    await conversationButton(alice.page, 'Crowd').click();
    await alice.page.getByRole('button', { name: 'Details' }).click();
    const members = alice.page.locator('#participant-list li');
    const more = alice.page.locator('#more-participants');
    await until(async () => (await members.count()) === 20, { message: '20 members listed before paging' });
    assert.equal(await more.textContent(), 'Show more (20 of 150)');

    // One page is 100 members: two clicks bring in all 150, once each, and the button goes.
    await more.click();
    await until(async () => (await members.count()) > 20, { message: 'the first page of members' });
    assert.ok(await more.isVisible(), 'more members remain after the first page');
    await more.click();
    await until(async () => (await members.count()) === 150, { message: 'all 150 members listed' });
    await until(async () => !(await more.isVisible()), { message: '"Show more" hidden once all are listed' });
    const listed = await alice.page.locator('#participant-list li > span:first-child').allTextContents();
    assert.deepEqual([...listed].sort(), ['alice (you)', ...others].sort());
  });

  it('task conversations and infinite scroll back through history', async () => {
    const token = await server.token('alice');
    const task = await server.api(token, 'POST', '/api/messaging/conversations/task/', { taskId: 'T-42', title: 'Task 42', participantIds: ['bob'] });
    for (let i = 1; i <= 75; i++) {
      await server.api(token, 'POST', '/api/messaging/messages/', { conversationId: task.id, text: `history ${i}`, clientMessageId: `h-${i}` });
    }
    await conversationButton(bob.page, 'Task 42').click();
    await message(bob.page, 'history 75').waitFor();
    assert.equal(await bob.page.locator('#messages li.message .text', { hasText: /^history 1$/ }).count(), 0);
    // scroll to the top until the first message is there
    await until(async () => {
      await bob.page.locator('#scroller').evaluate(s => { s.scrollTop = 0; s.dispatchEvent(new Event('scroll')); });
      return (await bob.page.locator('#messages li.message .text', { hasText: /^history 1$/ }).count()) === 1;
    }, { message: 'oldest message after scrolling back', interval: 300 });
    assert.equal(await bob.page.locator('#messages li.message').count(), 75);
    // the task conversation is found again by its task id
    await startConversation(alice.page, 'task', { taskId: 'T-42' });
    await until(async () => (await alice.page.locator('#chat-title').textContent()) === 'Task 42', { message: 'the task conversation opens' });
  });

  it('reconnects after the server restarts, shows the state and loses no message', async () => {
    await conversationButton(alice.page, 'bob').click();
    await conversationButton(bob.page, 'alice').click();
    await message(bob.page, 'Fine, thanks! Shipping today.').waitFor();

    await server.kill();
    await bob.page.locator('#connection:is([data-state="reconnecting"], [data-state="offline"])').waitFor();
    await screenshot(bob.page, 'reconnecting');
    await server.start();

    // sent at once, very likely before bob's client is back: he gets it by catch-up (?after=)
    const token = await server.token('alice');
    const conversations = await server.api(token, 'GET', '/api/messaging/conversations/');
    const direct = conversations.value.find(c => c.type === 'direct');
    await server.api(token, 'POST', '/api/messaging/messages/', { conversationId: direct.id, text: 'Sent while you were away', clientMessageId: 'away-1' });

    await bob.page.locator('#connection[data-state="online"]').waitFor({ timeout: 30_000 });
    await alice.page.locator('#connection[data-state="online"]').waitFor({ timeout: 30_000 });
    await message(bob.page, 'Sent while you were away').waitFor();
    await message(alice.page, 'Sent while you were away').waitFor();
    // and live events flow again both ways
    await send(bob.page, 'Back online');
    await message(alice.page, 'Back online').waitFor();
    assert.equal(await message(bob.page, 'Sent while you were away').count(), 1);
  });

  it('is readable on a phone: list first, then the conversation with a back button', async () => {
    const phone = await newUser(browser, server.url, { width: 390, height: 844 });
    await signIn(phone.page, 'bob', 'Bob');
    await conversationButton(phone.page, 'alice').waitFor();
    assert.equal(await phone.page.locator('#chat').isVisible(), false);
    await screenshot(phone.page, 'phone-list');
    await conversationButton(phone.page, 'alice').click();
    await message(phone.page, 'Back online').waitFor();
    assert.equal(await phone.page.locator('#sidebar').isVisible(), false);
    const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no horizontal scrolling (scrollWidth ${width})`);
    await screenshot(phone.page, 'phone-chat');
    await phone.page.getByRole('button', { name: 'Back to conversations' }).click();
    await conversationButton(phone.page, 'alice').waitFor();
    await phone.context.close();
  });

  it('had no errors in the pages', () => {
    const ignorable = /Failed to load resource|WebSocket|negotiat|ERR_CONNECTION_REFUSED|status of 404/i;
    const errors = [...alice.page.errors, ...bob.page.errors].map(String).filter(e => !ignorable.test(e));
    assert.deepEqual(errors, []);
  });
});

// Editing a message while events redraw it: the editor keeps what the user typed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newUser, ServerProcess, sleep, until } from './support.mjs';
import { conversationButton, messageByText, send, signIn } from './ui.mjs';

const server = new ServerProcess();
let browser;
let alice;
let bob;

describe('editing', () => {
  before(async () => {
    await server.start();
    browser = await launchBrowser();
    alice = await newUser(browser, server.url);
    bob = await newUser(browser, server.url);
    const token = await server.token('alice');
    await server.api(token, 'POST', '/api/messaging/conversations/direct/', { userId: 'bob' });
    await server.api(token, 'POST', '/api/messaging/conversations/', { title: 'Elsewhere', participantIds: ['bob'] });
    await signIn(alice.page, 'alice', 'Alice');
    await signIn(bob.page, 'bob', 'Bob');
    await conversationButton(alice.page, 'bob').click();
    await conversationButton(bob.page, 'Elsewhere').click();
  });

  after(async () => {
    await browser?.close();
    await server.dispose();
  });

  it('keeps the typed text when the receipt of the edited message changes meanwhile', async () => {
    await send(alice.page, 'Meeting at 10');
    await messageByText(alice.page, 'Meeting at 10').locator('.receipt', { hasText: 'Sent' }).waitFor();
    await messageByText(alice.page, 'Meeting at 10').getByRole('button', { name: 'Edit message' }).click();
    const editor = alice.page.getByRole('textbox', { name: 'Edit message' });
    await editor.fill('Meeting at 11');

    // bob reads it now: alice's page gets message.read, which changes that message's receipt
    await conversationButton(bob.page, 'alice').click();
    const token = await server.token('alice');
    await until(async () => {
      const conversations = await server.api(token, 'GET', '/api/messaging/conversations/');
      const direct = conversations.value.find(c => c.type === 'direct');
      return direct.participants.find(p => p.userId === 'bob').lastReadMessageId === direct.lastMessage.id;
    }, { message: 'bob has read it' });
    await sleep(500); // the read event on its way to alice's page

    assert.equal(await editor.inputValue(), 'Meeting at 11');
    await editor.press('Enter');
    await messageByText(bob.page, 'Meeting at 11').locator('.edited').waitFor();
    await messageByText(alice.page, 'Meeting at 11').locator('.receipt', { hasText: 'Seen by bob' }).waitFor();
  });
});

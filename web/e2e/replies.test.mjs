// Replies in the web client: two users in two browser contexts answer a message; the quote, the
// reply count and the replies panel, live and after a reload.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newUser, screenshot, ServerProcess, until } from './support.mjs';
import { conversationButton, message, messageByText, send, signIn } from './ui.mjs';

const server = new ServerProcess();
let browser;
let alice;
let bob;

describe('replies', () => {
  before(async () => {
    await server.start();
    browser = await launchBrowser();
    alice = await newUser(browser, server.url);
    bob = await newUser(browser, server.url);
    await server.api(await server.token('alice'), 'POST', '/api/messaging/conversations/', { title: 'Planning', participantIds: ['bob'] });
    await signIn(alice.page, 'alice', 'Alice');
    await signIn(bob.page, 'bob', 'Bob');
    await conversationButton(alice.page, 'Planning').click();
    await conversationButton(bob.page, 'Planning').click();
  });

  after(async () => {
    await browser?.close();
    await server.dispose();
  });

  it('answers a message with its quote, counts the reply and opens the replies', async () => {
    await send(alice.page, 'Which room is the review in?');
    await send(alice.page, 'And bring the slides');
    const question = messageByText(bob.page, 'Which room is the review in?');
    await question.getByRole('button', { name: 'Reply to message' }).click();
    const bar = bob.page.locator('#reply-bar');
    await bar.locator('.quote', { hasText: 'Replying to alice' }).waitFor();
    assert.equal(await bar.locator('.quote-text').textContent(), 'Which room is the review in?');
    await screenshot(bob.page, 'reply-composer');
    await send(bob.page, 'Room 4, after lunch');
    assert.equal(await bar.isVisible(), false, 'the reply bar goes once the reply is sent');

    // Both see the reply with the quoted question; alice sees "1 reply" on her question.
    for (const page of [alice.page, bob.page]) {
      const reply = message(page, 'Room 4, after lunch');
      await reply.locator('.quote', { hasText: 'Which room is the review in?' }).waitFor();
      assert.equal(await reply.locator('.quote-sender').textContent(), page === alice.page ? 'you' : 'alice');
    }
    const count = messageByText(alice.page, 'Which room is the review in?').locator('.reply-count');
    await until(async () => (await count.textContent()) === '1 reply', { message: '"1 reply" on the question' });
    assert.equal(await message(alice.page, 'And bring the slides').locator('.reply-count').count(), 0);

    await count.click();
    const panel = alice.page.locator('#replies');
    await panel.locator('#replies-list li', { hasText: 'Room 4, after lunch' }).waitFor();
    assert.match(await panel.locator('#replies-quote').textContent(), /Which room is the review in\?/);
    await screenshot(alice.page, 'replies-panel');

    // A second answer, sent from the panel, arrives in the open panel and the count follows.
    await send(bob.page, 'Never mind');
    await messageByText(bob.page, 'Which room is the review in?').getByRole('button', { name: 'Reply to message' }).click();
    await send(bob.page, 'Or room 5 if 4 is taken');
    await panel.locator('#replies-list li', { hasText: 'Or room 5 if 4 is taken' }).waitFor();
    assert.equal(await panel.locator('#replies-list li').count(), 2);
    await until(async () => (await count.textContent()) === '2 replies', { message: '"2 replies" on the question' });
    await alice.page.getByRole('button', { name: 'Close replies' }).click();
    assert.equal(await panel.isVisible(), false);
  });

  it('shows a deleted original as deleted in the quote, live and from the server', async () => {
    await messageByText(alice.page, 'Which room is the review in?').getByRole('button', { name: 'Delete message' }).click();
    const quote = page => message(page, 'Room 4, after lunch').locator('.quote');
    await quote(bob.page).locator('.quote-text', { hasText: 'Message deleted' }).waitFor();
    // after a reload the quote comes from the server (replyTo with deletedAt), and the count stays
    await bob.page.reload();
    await conversationButton(bob.page, 'Planning').click();
    await quote(bob.page).locator('.quote-text', { hasText: 'Message deleted' }).waitFor();
    await bob.page.locator('#messages li.is-deleted .reply-count', { hasText: '2 replies' }).waitFor();
  });

  it('had no errors in the pages', () => {
    const errors = [...alice.page.errors, ...bob.page.errors].map(String).filter(e => !/WebSocket|negotiat/i.test(e));
    assert.deepEqual(errors, []);
  });
});

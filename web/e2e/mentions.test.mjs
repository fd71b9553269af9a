// Mentions in the web client: the @-picker among the participants puts the user id into
// `mentions`; the mentioned user gets a mention badge in the conversation list, live and after a
// reload, and it goes once they read the conversation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newUser, screenshot, ServerProcess, until } from './support.mjs';
import { conversationButton, messageByText, signIn } from './ui.mjs';

const server = new ServerProcess();
let browser;
let alice;
let bob;
let group;

describe('mentions', () => {
  before(async () => {
    await server.start();
    browser = await launchBrowser();
    alice = await newUser(browser, server.url);
    bob = await newUser(browser, server.url);
    const token = await server.token('alice');
    group = await server.api(token, 'POST', '/api/messaging/conversations/', { title: 'Team', participantIds: ['bob', 'bea', 'carol'] });
    await server.api(token, 'POST', '/api/messaging/conversations/direct/', { userId: 'bob' });
    await signIn(alice.page, 'alice', 'Alice');
    await signIn(bob.page, 'bob', 'Bob');
    await conversationButton(alice.page, 'Team').click();
  });

  after(async () => {
    await browser?.close();
    await server.dispose();
  });

  it('offers the participants after @, inserts the chosen one and sends the mention', async () => {
    const composer = alice.page.locator('#composer-text');
    await composer.pressSequentially('Can you check this, @b', { delay: 10 });
    const options = alice.page.locator('#mention-picker [role="option"]');
    await until(async () => (await options.allTextContents()).join(' ') === '@bea @bob', { message: 'the picker lists bea and bob' });
    await screenshot(alice.page, 'mention-picker');
    await composer.press('ArrowDown');
    await composer.press('Enter');
    assert.equal(await composer.inputValue(), 'Can you check this, @bob ');
    assert.equal(await alice.page.locator('#mention-picker').isVisible(), false);
    // a click chooses too
    await composer.pressSequentially('and @car', { delay: 10 });
    await alice.page.locator('#mention-picker [role="option"]', { hasText: '@carol' }).click();
    await composer.pressSequentially('please');
    await composer.press('Enter');
    await messageByText(alice.page, 'Can you check this').locator('.mention', { hasText: '@bob' }).waitFor();

    const history = await server.api(await server.token('bob'), 'GET', `/api/messaging/conversations/${group.id}/messages/?limit=5`);
    const sent = history.value.find(m => m.text.startsWith('Can you check this'));
    assert.equal(sent.text, 'Can you check this, @bob and @carol please');
    assert.deepEqual([...sent.mentions].sort(), ['bob', 'carol']);
  });

  it('shows the mention badge to the mentioned user, live and after a reload, until read', async () => {
    const badge = () => conversationButton(bob.page, 'Team').locator('.mention-badge');
    await badge().waitFor();
    assert.match(await conversationButton(bob.page, 'Team').getAttribute('aria-label'), /1 mentioning you/);
    await screenshot(bob.page, 'mention-badge');

    await bob.page.reload();
    await badge().waitFor();

    await conversationButton(bob.page, 'Team').click();
    await messageByText(bob.page, 'Can you check this').locator('.mention.me', { hasText: '@bob' }).waitFor();
    await until(async () => (await badge().count()) === 0, { message: 'the badge goes once read' });
  });

  it('had no errors in the pages', () => {
    const errors = [...alice.page.errors, ...bob.page.errors].map(String).filter(e => !/WebSocket|negotiat/i.test(e));
    assert.deepEqual(errors, []);
  });
});

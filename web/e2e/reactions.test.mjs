// Reactions in the web client: added in two clicks, seen live by the other user with its count,
// your own highlighted (also when added from another tab of yours), a click toggles yours.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newUser, screenshot, ServerProcess, until } from './support.mjs';
import { conversationButton, messageByText, send, signIn } from './ui.mjs';

const server = new ServerProcess();
let browser;
let alice;
let bob;

const reaction = (page, text, emoji) => messageByText(page, text).locator(`button.reaction[data-reaction="${emoji}"]`);
const shows = async (page, text, emoji, count, mine) => {
  const button = reaction(page, text, emoji);
  return (await button.count()) === 1
    && (await button.locator('.reaction-count').textContent()) === String(count)
    && (await button.getAttribute('aria-pressed')) === String(mine);
};

describe('reactions', () => {
  before(async () => {
    await server.start();
    browser = await launchBrowser();
    alice = await newUser(browser, server.url);
    bob = await newUser(browser, server.url);
    await server.api(await server.token('alice'), 'POST', '/api/messaging/conversations/direct/', { userId: 'bob' });
    await signIn(alice.page, 'alice', 'Alice');
    await signIn(bob.page, 'bob', 'Bob');
    await conversationButton(alice.page, 'bob').click();
    await conversationButton(bob.page, 'alice').click();
  });

  after(async () => {
    await browser?.close();
    await server.dispose();
  });

  it('adds a reaction in two clicks; the other user sees it with its count, own highlighted', async () => {
    await send(alice.page, 'Release is out');
    await messageByText(bob.page, 'Release is out').waitFor();
    await messageByText(alice.page, 'Release is out').getByRole('button', { name: 'Add reaction' }).click();
    await alice.page.getByRole('button', { name: 'React with 👍' }).click();

    await until(() => shows(alice.page, 'Release is out', '👍', 1, true), { message: 'alice: 👍 1, hers' });
    await until(() => shows(bob.page, 'Release is out', '👍', 1, false), { message: 'bob: 👍 1, not his' });
    assert.equal(await alice.page.locator('.reaction-picker').count(), 0, 'the picker closes after the choice');

    // bob adds his by clicking the reaction: 2 on both sides, highlighted on his
    await reaction(bob.page, 'Release is out', '👍').click();
    await until(() => shows(bob.page, 'Release is out', '👍', 2, true), { message: 'bob: 👍 2, his' });
    await until(() => shows(alice.page, 'Release is out', '👍', 2, true), { message: 'alice: 👍 2, hers' });
    await screenshot(bob.page, 'reactions');

    // and a second click takes his back
    await reaction(bob.page, 'Release is out', '👍').click();
    await until(() => shows(bob.page, 'Release is out', '👍', 1, false), { message: 'bob: 👍 back to 1, not his' });
    await until(() => shows(alice.page, 'Release is out', '👍', 1, true), { message: 'alice: 👍 back to 1' });
  });

  it('counts a reaction from my other tab as mine, and keeps it after a reload', async () => {
    const otherTab = await alice.context.newPage();
    await signIn(otherTab, 'alice', 'Alice');
    await conversationButton(otherTab, 'bob').click();
    await messageByText(otherTab, 'Release is out').getByRole('button', { name: 'Add reaction' }).click();
    await otherTab.getByRole('button', { name: 'React with 🎉' }).click();
    await until(() => shows(alice.page, 'Release is out', '🎉', 1, true), { message: 'the first tab: 🎉 1, hers' });
    await until(() => shows(bob.page, 'Release is out', '🎉', 1, false), { message: 'bob: 🎉 1' });
    await otherTab.close();

    await bob.page.reload();
    await conversationButton(bob.page, 'alice').click();
    await until(() => shows(bob.page, 'Release is out', '👍', 1, false), { message: 'bob after reload: 👍 1' });
    await until(() => shows(bob.page, 'Release is out', '🎉', 1, false), { message: 'bob after reload: 🎉 1' });
  });

  it('had no errors in the pages', () => {
    const errors = [...alice.page.errors, ...bob.page.errors].map(String).filter(e => !/WebSocket|negotiat/i.test(e));
    assert.deepEqual(errors, []);
  });
});

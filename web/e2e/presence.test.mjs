// Presence in the web client: a dot on the other person of a direct conversation (header) and on
// the participants (details panel) turns online when they open the app and offline after they
// close it (the server announces offline after 10 s without a connection).
import { after, before, describe, it } from 'node:test';
import { launchBrowser, newUser, screenshot, ServerProcess } from './support.mjs';
import { conversationButton, signIn } from './ui.mjs';

const server = new ServerProcess();
let browser;
let alice;

describe('presence', () => {
  before(async () => {
    await server.start();
    browser = await launchBrowser();
    alice = await newUser(browser, server.url);
    await server.api(await server.token('alice'), 'POST', '/api/messaging/conversations/direct/', { userId: 'bob' });
    await signIn(alice.page, 'alice', 'Alice');
    await conversationButton(alice.page, 'bob').click();
  });

  after(async () => {
    await browser?.close();
    await server.dispose();
  });

  it('turns bob online when he opens the app and offline after he closes it', async () => {
    const headerDot = status => alice.page.locator(`#chat-presence .presence[data-status="${status}"]`);
    await headerDot('offline').waitFor();
    await alice.page.getByRole('button', { name: 'Details' }).click();
    const panelDot = status => alice.page.locator(`#participant-list li:has-text("bob") .presence[data-status="${status}"]`);
    await panelDot('offline').waitFor();

    const bob = await newUser(browser, server.url);
    await signIn(bob.page, 'bob', 'Bob');
    await headerDot('online').waitFor();
    await panelDot('online').waitFor();
    await screenshot(alice.page, 'presence-online');

    await bob.context.close();
    await headerDot('offline').waitFor({ timeout: 25_000 });
    await panelDot('offline').waitFor();
  });
});

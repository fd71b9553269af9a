// What the browser tests do on the page, as a user would: sign in, start a conversation, find a
// conversation or a message, send.

export async function signIn(page, userId, name) {
  await page.goto('/');
  await page.locator('#dev-signin').waitFor();
  await page.getByLabel('User id', { exact: true }).first().fill(userId);
  await page.locator('#signin-name').fill(name);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#connection[data-state="online"]').waitFor();
}

export async function startConversation(page, kind, fields) {
  const details = page.locator('#new-conversation');
  if (!(await details.evaluate(d => d.open))) await page.getByText('New conversation', { exact: true }).click();
  await page.getByRole('radio', { name: kind[0].toUpperCase() + kind.slice(1) }).check();
  if (fields.userId) await page.locator('#new-user').fill(fields.userId);
  if (fields.taskId) await page.locator('#new-task').fill(fields.taskId);
  if (fields.title) await page.locator('#new-title').fill(fields.title);
  if (fields.participants) await page.locator('#new-participants').fill(fields.participants);
  await page.getByRole('button', { name: 'Start' }).click();
  await page.locator('#chat:not([hidden])').waitFor();
}

export const conversationButton = (page, title) => page.locator('#conversation-list button', { has: page.locator('.conversation-title', { hasText: title }) });
export const message = (page, text) => page.locator('#messages li.message', { hasText: text });

export async function send(page, text) {
  await page.locator('#composer-text').fill(text);
  await page.locator('#composer-text').press('Enter');
  await message(page, text).and(page.locator(':not(.pending)')).waitFor();
}

/** The message whose own text (not a quote of it) contains `text`. */
export const messageByText = (page, text) => page.locator('#messages li.message').filter({ has: page.locator('div.text', { hasText: text }) });

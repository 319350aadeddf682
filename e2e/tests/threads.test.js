// Threads (issue 5): in a real browser, a message posted by one person appears on another
// reader's open thread page without reloading, and an edit replaces it there, both announced in
// the polite live region; the page stays axe-clean after the live changes. With JavaScript off,
// the same page still works: the reply form posts and the answer shows the new message.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  CAROL,
  assertNoAxeViolations,
  newPage,
  launch,
  safeRoutesId,
  signIn,
  unique,
  url,
  visit,
} from './helpers.js';

let browser;
let collaborationId;

before(async () => {
  browser = await launch();
  collaborationId = await safeRoutesId();
});
after(async () => {
  await browser?.close();
});

/** Carol starts a thread through the form; returns its path. */
async function startThread(page, title) {
  await visit(page, `/collaborations/${collaborationId}/threads/new`);
  await page.locator('#title').fill(title);
  await page.locator('#body').fill('Opening the discussion.');
  await Promise.all([
    page.waitForURL((u) => /^\/threads\/[0-9a-f-]{36}$/.test(u.pathname)),
    page.locator('form.thread-form button[type=submit]').click(),
  ]);
  return new URL(page.url()).pathname;
}

/** Posts a reply through the thread page's form and waits for the page it answers with. */
async function reply(page, text) {
  await page.locator('#body').fill(text);
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/messages')),
    page.waitForEvent('domcontentloaded'),
    page.locator('.thread-reply button[type=submit]').click(),
  ]);
}

test('a new message and an edit reach an open thread page live, announced politely', async () => {
  const carol = await newPage(browser);
  await signIn(carol, CAROL);
  const title = `Live in the browser ${unique()}`;
  const thread = await startThread(carol, title);

  // An anonymous reader (Safe Routes is public) holds the page open.
  const reader = await newPage(browser);
  await visit(reader, thread);
  const before = await reader.locator('#messages > li').count();
  // No need to wait for the stream to open: it starts after the newest message on the page
  // (`data-after`), so whatever is posted meanwhile is caught up.

  const text = `Crossing opens Monday ${unique()}`;
  await carol.goto(url(thread));
  await reply(carol, `The **${text}**`);
  const arrived = reader.locator('#messages > li', { hasText: text });
  await arrived.waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal(await reader.locator('#messages > li').count(), before + 1, 'appended once');
  assert.equal(await arrived.locator('strong').textContent(), text, 'rendered Markdown');
  assert.match(await reader.locator('#live-status').textContent(), /New message from Carol Nguyen/);

  // Carol edits it through the edit page; the reader's copy is replaced in place.
  const id = await arrived.locator('article').getAttribute('id');
  const messageId = id.replace(/^m-/, '');
  await visit(carol, `/messages/${messageId}/edit`);
  const edited = `Crossing opens Tuesday ${unique()}`;
  await carol.locator('#body').fill(edited);
  await Promise.all([
    carol.waitForEvent('domcontentloaded'),
    carol.locator('main form button[type=submit]').click(),
  ]);
  await reader.locator(`#${id}`, { hasText: edited }).waitFor({ timeout: 10_000 });
  assert.equal(await reader.locator(`#${id}`).count(), 1, 'replaced, not added');
  assert.equal(await reader.locator('#messages > li', { hasText: text }).count(), 0);
  assert.match(await reader.locator('#live-status').textContent(), /edited/);

  await assertNoAxeViolations(reader, 'thread page after live updates');
  await carol.context().close();
  await reader.context().close();
});

test('without JavaScript the thread page still posts and shows the reply', async () => {
  const carol = await newPage(browser, { javaScriptEnabled: false });
  await signIn(carol, CAROL);
  const thread = await startThread(carol, `No script ${unique()}`);
  const text = `Posted without JavaScript ${unique()}`;
  await reply(carol, text);
  assert.equal(new URL(carol.url()).pathname, thread, 'back on the thread');
  assert.equal(await carol.locator('#messages > li', { hasText: text }).count(), 1);
  await carol.context().close();
});

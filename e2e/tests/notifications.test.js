// Notifications (issue 5, item 6): the unread count in the header follows the inbox, the inbox and
// the email settings pass axe-core (WCAG 2.2 AA), and the email settings are chosen with the
// keyboard only. The demo's invitations leave Alice (Ministry of Health's admin) unread notifications.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  ALICE,
  assertNoAxeViolations,
  launch,
  newPage,
  signIn,
  visit,
} from './helpers.js';

let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The number in the header's "N unread" badge; 0 when there is none. */
async function headerCount(page) {
  const badge = page.locator('header #unread-count');
  if ((await badge.count()) === 0) return 0;
  const match = (await badge.innerText()).match(/\d+/);
  assert.ok(match, 'the badge shows a number');
  return Number(match[0]);
}

async function tabTo(page, selector, maxPresses = 80) {
  for (let i = 0; i < maxPresses; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  assert.fail(`${selector} never received focus after ${maxPresses} Tab presses on ${page.url()}`);
}

test('the header counts unread notifications and the inbox is axe-clean', async () => {
  const page = await newPage(browser);
  await signIn(page, ALICE);
  await visit(page, '/notifications');
  const before = await headerCount(page);
  assert.ok(before > 0, 'the demo invitations left Alice unread notifications');
  assert.equal(await page.locator('main li.notification.unread').count() > 0, true);
  // Unread is said in words, not only by style.
  assert.ok(await page.locator('main li.notification.unread .unread-tag').first().isVisible());
  await assertNoAxeViolations(page, 'the inbox');

  await Promise.all([
    page.waitForURL((u) => u.searchParams.get('done') === 'read'),
    page.locator('main li.notification.unread form button').first().click(),
  ]);
  assert.equal(await headerCount(page), before - 1, 'one fewer unread in the header');
  await visit(page, '/');
  assert.equal(await headerCount(page), before - 1, 'the count shows on every page');
  await page.context().close();
});

test('email settings are chosen with the keyboard and the page is axe-clean', async () => {
  const page = await newPage(browser);
  await signIn(page, ALICE);
  await visit(page, '/account/notifications');
  await assertNoAxeViolations(page, 'the email settings');
  assert.ok(await page.locator('#pref-mention-immediate').isChecked(), 'mentions: at once by default');

  // Into the mentions group, then the arrow keys to "No email".
  await tabTo(page, 'input[type=radio][name="mention"]');
  for (let i = 0; i < 5; i += 1) {
    if ((await page.evaluate(() => document.activeElement?.id)) === 'pref-mention-off') break;
    await page.keyboard.press('ArrowRight');
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'pref-mention-off');
  assert.ok(await page.locator('#pref-mention-off').isChecked());
  await tabTo(page, '.notification-preferences button[type=submit]');
  await Promise.all([
    page.waitForURL((u) => u.searchParams.get('done') === 'saved'),
    page.keyboard.press('Enter'),
  ]);
  assert.ok(await page.locator('#pref-mention-off').isChecked(), 'the choice was saved');
  assert.ok(await page.locator('.notice.success').isVisible());
  await assertNoAxeViolations(page, 'the email settings after saving');
  await page.context().close();
});

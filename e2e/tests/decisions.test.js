// The decision register (issue 5, item 3): a coordinator records a decision with the keyboard only;
// a date in the future is refused beside the field with everything typed kept; once fixed the
// decision is in the register. An anonymous visitor reads a public decision but not a members-only
// one (404, and it is not listed). The register and the detail page are axe-clean.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  CAROL,
  DEMO_PASSWORD,
  assertNoAxeViolations,
  assertSignedIn,
  launch,
  newPage,
  safeRoutesId,
  unique,
  visit,
} from './helpers.js';

/** A public decision of the demo on Safe Routes (crates/app/src/demo.rs). */
const DEMO_PUBLIC = 'Pilot 20 mph zones around the first six schools';

let browser;
let register;
/** The members-only decision the first journey records: { id, title }. */
let recorded;

before(async () => {
  browser = await launch();
  register = `/collaborations/${await safeRoutesId()}/decisions`;
});
after(async () => {
  await browser?.close();
});

async function tabTo(page, selector, maxPresses = 120) {
  for (let i = 0; i < maxPresses; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
      return;
    }
  }
  assert.fail(`${selector} never received focus after ${maxPresses} Tab presses on ${page.url()}`);
}

async function signInWithKeyboard(page, email) {
  await visit(page, '/sign-in');
  await tabTo(page, '#email');
  await page.keyboard.type(email);
  await tabTo(page, '#password');
  await page.keyboard.type(DEMO_PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/sign-in')), page.keyboard.press('Enter')]);
  await assertSignedIn(page);
}

function isoDay(offsetDays) {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/** Replaces a date field's value from the keyboard: select the field's text, type the ISO date. */
async function typeDate(page, selector, iso) {
  await tabTo(page, selector);
  // Chromium's date field takes its parts in its own locale's order: month/day/year or
  // day/month/year. Type one; if the field reads otherwise, go back to its first part and type
  // the other.
  const [y, m, d] = iso.split('-');
  await page.keyboard.type(`${m}${d}${y}`);
  if ((await page.inputValue(selector)) !== iso) {
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.type(`${d}${m}${y}`);
  }
  assert.equal(await page.inputValue(selector), iso, `${selector} holds ${iso}`);
}

test('keyboard only: a future date is refused beside the field, then the decision is in the register', async () => {
  const page = await newPage(browser);
  await signInWithKeyboard(page, CAROL);
  await visit(page, register);
  await tabTo(page, `main a[href="${register}/new"]`);
  await Promise.all([page.waitForURL((u) => u.pathname === `${register}/new`), page.keyboard.press('Enter')]);
  assert.equal(await page.locator('h1').innerText(), 'Record a decision');

  const title = `Close Elm Street at drop-off ${unique()}`;
  const decided = 'Elm Street closes to cars from 08:15 to 08:45 on school days.';
  await tabTo(page, '#title');
  await page.keyboard.type(title);
  await tabTo(page, '#decided');
  await page.keyboard.type(decided);
  // Carol decided: tick her own box with Space.
  await tabTo(page, 'input[name="decided_by"]');
  const carolBox = page.locator('fieldset#decided_by label', { hasText: 'Carol Nguyen' });
  const carolId = await carolBox.getAttribute('for');
  await tabTo(page, `#${carolId}`);
  await page.keyboard.press('Space');
  assert.ok(await page.locator(`#${carolId}`).isChecked(), 'Carol is ticked');
  await typeDate(page, '#decided_on', isoDay(2));
  // Members only: arrow keys through the radio group.
  await tabTo(page, 'input[type=radio][name="visibility"]');
  for (let i = 0; i < 4 && (await page.evaluate(() => document.activeElement?.id)) !== 'visibility-members'; i += 1) {
    await page.keyboard.press('ArrowDown');
  }
  assert.ok(await page.locator('#visibility-members').isChecked(), 'members only is chosen');

  await tabTo(page, 'main form.decision-form button[type=submit]');
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `${register}/new`),
    page.waitForEvent('domcontentloaded'),
    page.keyboard.press('Enter'),
  ]);
  assert.equal(refused.status(), 422, 'a decision dated in the future is refused');
  const error = page.locator('#decided_on-error');
  assert.ok(await error.isVisible(), 'the error is beside the date');
  assert.match(await error.innerText(), /cannot be in the future/);
  assert.match(await page.locator('#decided_on').getAttribute('aria-describedby'), /decided_on-error/);
  assert.equal(await page.locator('.error-summary').count(), 1);
  // Everything typed is kept.
  assert.equal(await page.inputValue('#title'), title);
  assert.equal(await page.inputValue('#decided'), decided);
  assert.ok(await page.locator(`#${carolId}`).isChecked(), 'the ticked person is kept');
  assert.ok(await page.locator('#visibility-members').isChecked(), 'the visibility is kept');
  await assertNoAxeViolations(page, 'decision form with an error');

  await typeDate(page, '#decided_on', isoDay(0));
  await tabTo(page, 'main form.decision-form button[type=submit]');
  await Promise.all([page.waitForURL(/\/decisions\/[0-9a-f-]{36}\?done=recorded/), page.keyboard.press('Enter')]);
  const id = new URL(page.url()).pathname.split('/').pop();
  recorded = { id, title };
  assert.equal(await page.locator('h1').innerText(), title);
  assert.match(await page.locator('.notice').innerText(), /recorded/);
  await assertNoAxeViolations(page, 'decision detail');

  await visit(page, register);
  const row = page.locator('table tbody tr').filter({ has: page.getByRole('link', { name: title, exact: true }) });
  assert.equal(await row.count(), 1, 'the register lists it');
  assert.match(await row.innerText(), /Members only/);
  await assertNoAxeViolations(page, 'decision register');
  // The action items of the collaboration (with their status forms) and the form to add one.
  const items = register.replace(/decisions$/, 'action-items');
  await visit(page, items);
  assert.ok((await page.locator('form.action-item-status-form').count()) > 0, 'a coordinator changes statuses');
  await assertNoAxeViolations(page, 'action items');
  await visit(page, `${items}/new?decision=${id}`);
  assert.equal(await page.inputValue('#decision_id'), id, 'the decision is preselected');
  await assertNoAxeViolations(page, 'new action item');
  await page.context().close();
});

test('an anonymous visitor reads the public decision but not the members-only one', async () => {
  assert.ok(recorded, 'the first journey recorded a decision');
  const page = await newPage(browser);
  await visit(page, register);
  assert.equal(await page.getByRole('link', { name: DEMO_PUBLIC, exact: true }).count(), 1, 'the public decision is listed');
  assert.equal(await page.getByRole('link', { name: recorded.title, exact: true }).count(), 0, 'the members-only one is not');
  await assertNoAxeViolations(page, 'decision register (anonymous)');
  await Promise.all([page.waitForURL(/\/decisions\/[0-9a-f-]{36}$/), page.getByRole('link', { name: DEMO_PUBLIC, exact: true }).click()]);
  assert.equal(await page.locator('h1').innerText(), DEMO_PUBLIC);
  assert.ok((await page.locator('main strong').count()) > 0, 'the Markdown is rendered');
  await assertNoAxeViolations(page, 'public decision (anonymous)');
  await visit(page, `/decisions/${recorded.id}`, 404);
  await visit(page, '/decisions');
  assert.equal(await page.getByRole('link', { name: recorded.title, exact: true }).count(), 0);
  await assertNoAxeViolations(page, 'public register');
  await page.context().close();
});

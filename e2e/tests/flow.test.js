// The main journey across two organisations: a municipality coordinator signs in with the
// keyboard only, starts a collaboration, invites a ministry; the ministry's admin accepts.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  ALICE,
  CAROL,
  DEMO_PASSWORD,
  MINISTRY_OF_HEALTH,
  assertSignedIn,
  launch,
  newPage,
  unique,
  url,
  visit,
} from './helpers.js';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Presses Tab until the element matching `selector` has focus (bounded: fails if it never does). */
async function tabTo(page, selector, maxPresses = 40) {
  for (let i = 0; i < maxPresses; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
      return;
    }
  }
  assert.fail(`${selector} never received focus after ${maxPresses} Tab presses on ${page.url()}`);
}

/** The focused element shows where focus is (an outline or a focus ring), as WCAG 2.4.7 asks. */
async function assertFocusVisible(page) {
  const style = await page.evaluate(() => {
    const el = document.activeElement;
    const cs = getComputedStyle(el);
    return { id: el.id || el.tagName, outline: `${cs.outlineStyle} ${cs.outlineWidth}`, shadow: cs.boxShadow };
  });
  const [outlineStyle, outlineWidth] = style.outline.split(' ');
  const visible = (outlineStyle !== 'none' && parseFloat(outlineWidth) >= 2) || style.shadow !== 'none';
  assert.ok(visible, `keyboard focus on ${style.id} is not visible (outline ${style.outline}, box-shadow ${style.shadow})`);
}

/** Signs in with the keyboard only: Tab to the fields, type, Enter. No clicks. */
async function signInWithKeyboard(page, email) {
  await visit(page, '/sign-in');
  await tabTo(page, '#email');
  await assertFocusVisible(page);
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  assert.equal(
    await page.evaluate(() => document.activeElement?.id),
    'password',
    'Tab from the email field should reach the password field',
  );
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'submit',
    'Tab from the password field should reach the sign-in button');
  await assertFocusVisible(page);
  await page.keyboard.press('Shift+Tab');
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/sign-in')),
    page.keyboard.press('Enter'),
  ]);
  await assertSignedIn(page);
}

/** The row of the organisations table on a collaboration page, as plain cell texts. */
async function organisationRow(page, name) {
  const section = page.locator('section[aria-labelledby="organisations-heading"]');
  const row = section.locator('table tbody tr').filter({
    has: page.locator('td:first-child', { hasText: name }),
  });
  assert.equal(await row.count(), 1, `the organisations table should have one row for ${name}`);
  return (await row.locator('td').allInnerTexts()).map((t) => t.trim());
}

test('a coordinator starts a collaboration, invites a ministry, and the ministry accepts', async () => {
  const title = `Cool Streets heat plan ${unique()}`;
  const summary = 'Shade, water and cool rooms for the hottest streets before next summer.';

  // 1. Carol (City of Riverton) signs in by keyboard only.
  const page = await newPage(browser);
  await signInWithKeyboard(page, CAROL);

  // 2. She creates a collaboration visible to partners.
  await visit(page, '/collaborations/new');
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Summary', { exact: true }).fill(summary);
  const areas = page.locator('#policy_areas input[type=checkbox]');
  assert.ok((await areas.count()) > 0, 'the form offers policy areas');
  const area = areas.first();
  await area.check();
  const areaLabel = (await page.locator(`label[for="${await area.getAttribute('id')}"]`).innerText()).trim();
  await page.locator('#visibility-partners').check();
  await Promise.all([
    page.waitForURL(/\/collaborations\/[0-9a-f-]{36}/),
    page.locator('main form.stack-form button[type=submit]').click(),
  ]);
  const collaborationPath = new URL(page.url()).pathname;
  assert.equal(await page.locator('h1').innerText(), title);
  assert.ok((await page.locator('main').innerText()).includes(summary), 'the page shows the summary');
  const details = await page.locator('section[aria-labelledby="details-heading"]').innerText();
  assert.ok(details.includes(areaLabel), `the chosen policy area "${areaLabel}" is shown`);
  const riverton = await organisationRow(page, 'City of Riverton');
  assert.deepEqual(riverton.slice(1, 3), ['Lead', 'Active'], 'the creator organisation leads');

  // 3. She invites the Ministry of Health as a partner.
  await page.locator('#invite-organisation').selectOption({ label: MINISTRY_OF_HEALTH });
  await page.locator('#invite-role').selectOption('partner');
  await Promise.all([
    page.waitForURL((u) => u.pathname === collaborationPath),
    page.locator(`form[action="${collaborationPath}/organisations"] button[type=submit]`).click(),
  ]);
  const invited = await organisationRow(page, MINISTRY_OF_HEALTH);
  assert.deepEqual(invited.slice(1, 3), ['Partner', 'Invited']);

  // 4. She signs out with the header button.
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/'),
    page.locator('header').getByRole('button', { name: 'Sign out' }).click(),
  ]);
  assert.equal(await page.locator('header form[action="/sign-out"]').count(), 0, 'signed out');
  assert.equal((await page.goto(url(collaborationPath))).status(), 404,
    'a partners-only collaboration is invisible once signed out');

  // 5. Alice (Ministry of Health admin) signs in and sees the invitation on her home page.
  await signInWithKeyboard(page, ALICE);
  await visit(page, '/');
  const invitations = page.locator('section[aria-labelledby="invitations-heading"]');
  const invitation = invitations.locator('li').filter({ hasText: title });
  assert.equal(await invitation.count(), 1, `the home page lists the invitation to "${title}"`);
  assert.match(await invitation.innerText(), /invited as Partner/);

  // 6. She accepts it, and the collaboration lists the ministry as an active partner.
  await Promise.all([
    page.waitForURL((u) => u.pathname === collaborationPath),
    invitation.getByRole('button', { name: 'Accept invitation' }).click(),
  ]);
  const accepted = await organisationRow(page, MINISTRY_OF_HEALTH);
  assert.deepEqual(accepted.slice(1, 3), ['Partner', 'Active']);

  await visit(page, '/');
  assert.equal(
    await page.locator('section[aria-labelledby="invitations-heading"] li', { hasText: title }).count(),
    0,
    'the accepted invitation is no longer pending on the home page',
  );
  await page.context().close();
});

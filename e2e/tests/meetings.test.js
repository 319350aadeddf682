// Meetings (issue 5): a coordinator schedules a meeting with the keyboard only; an end before the
// start is refused with the message beside the field and the typed values kept; once fixed, the
// meeting page shows. The meeting page and its printable version are axe-clean (WCAG 2.2 AA).

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

let browser;
let collaborationId;

before(async () => {
  browser = await launch();
  collaborationId = await safeRoutesId();
});
after(async () => {
  await browser?.close();
});

/** Presses Tab until the element matching `selector` has focus (bounded). */
async function tabTo(page, selector, maxPresses = 80) {
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
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/sign-in')),
    page.keyboard.press('Enter'),
  ]);
  await assertSignedIn(page);
}

/** Types a date and time into a datetime-local input, segment by segment as a keyboard user
 * would (headless Chromium orders the segments mm dd yyyy hh mm). */
async function typeDateTime(page, selector, { day, month, year, time }) {
  await tabTo(page, selector);
  await page.keyboard.type(`${month}${day}${year}`);
  // The year takes up to six digits, so the arrow key moves on to the hours.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.type(time.replace(':', ''));
  const value = await page.locator(selector).inputValue();
  assert.equal(value, `${year}-${month}-${day}T${time}`, `${selector} holds what was typed`);
}

/** Presses Enter on the focused control and waits for the page the POST answers with. */
async function submitWithEnter(page, pathname) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === pathname),
    page.waitForEvent('domcontentloaded'),
    page.keyboard.press('Enter'),
  ]);
  return response;
}

test('a meeting is scheduled with the keyboard; an end before the start is refused beside the field', async () => {
  const page = await newPage(browser);
  await signInWithKeyboard(page, CAROL);
  const action = `/collaborations/${collaborationId}/meetings/new`;
  await visit(page, action);
  const title = `Crossing patrols review ${unique()}`;
  await tabTo(page, '#title');
  await page.keyboard.type(title);
  await typeDateTime(page, '#starts_at', { day: '14', month: '06', year: '2030', time: '14:00' });
  await typeDateTime(page, '#ends_at', { day: '14', month: '06', year: '2030', time: '13:00' });
  await tabTo(page, '#place');
  await page.keyboard.type('City Hall, room 4');
  await tabTo(page, 'form.meeting-form button[type=submit]');
  const refused = await submitWithEnter(page, action);
  assert.equal(refused.status(), 422);

  // The message sits beside the end field, which points at it; what was typed is kept.
  const error = page.locator('#ends_at-error');
  assert.match(await error.innerText(), /end must be after the start/i);
  assert.equal(await page.locator('#ends_at').getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#ends_at').getAttribute('aria-describedby'), /ends_at-error/);
  assert.equal(await page.locator('#title').inputValue(), title);
  assert.equal(await page.locator('#starts_at').inputValue(), '2030-06-14T14:00');
  assert.equal(await page.locator('#ends_at').inputValue(), '2030-06-14T13:00');
  assert.equal(await page.locator('#place').inputValue(), 'City Hall, room 4');
  await assertNoAxeViolations(page, 'the meeting form with an error');

  // Fix the end with the keyboard: select the field's hour and type a later one.
  await typeDateTime(page, '#ends_at', { day: '14', month: '06', year: '2030', time: '15:30' });
  await tabTo(page, 'form.meeting-form button[type=submit]');
  const accepted = await submitWithEnter(page, action);
  assert.equal(accepted.status(), 303, 'accepted: see the meeting page');
  await page.waitForURL((u) => /^\/meetings\/[0-9a-f-]{36}$/.test(u.pathname));
  assert.match(new URL(page.url()).pathname, /^\/meetings\/[0-9a-f-]{36}$/);
  assert.equal(await page.locator('h1').innerText(), title);
  assert.match(await page.locator('.notice.success').innerText(), /scheduled/i);
  await assertNoAxeViolations(page, 'the meeting page');

  const meetingPath = new URL(page.url()).pathname;
  await visit(page, `${meetingPath}/print`);
  assert.equal(await page.locator('h1').innerText(), title);
  await assertNoAxeViolations(page, 'the printable meeting page');
  await page.context().close();
});

test('a past demo meeting with minutes and answers is axe-clean, as is its printable page', async () => {
  const page = await newPage(browser);
  await signInWithKeyboard(page, CAROL);
  await visit(page, `/collaborations/${collaborationId}/meetings`);
  const past = page.locator('section[aria-labelledby="past-heading"] a').first();
  const href = await past.getAttribute('href');
  assert.ok(href, 'the demo has past meetings');
  await visit(page, href);
  assert.ok((await page.locator('.meeting-minutes').count()) > 0, 'past meetings show minutes');
  assert.ok((await page.locator('table.meeting-attendees tbody tr').count()) > 0, 'and attendees');
  await assertNoAxeViolations(page, 'a past meeting');
  await visit(page, `${href}/print`);
  await assertNoAxeViolations(page, 'a past meeting, printable');
  await visit(page, `/collaborations/${collaborationId}/meetings`);
  await assertNoAxeViolations(page, 'the meetings list');
  await visit(page, '/account/calendar');
  await assertNoAxeViolations(page, 'the calendar feed settings');
  await page.context().close();
});

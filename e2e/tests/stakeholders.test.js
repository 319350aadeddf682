// The stakeholder journeys (issue 4): a coordinator adds a stakeholder with the keyboard only and
// finds it in the right quadrant of the power/interest grid, records an engagement with it, gives
// it the Accountable role on an objective (one Accountable per objective), an anonymous visitor
// never sees a person's name or contact details, and the grid fits a phone.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  CAROL,
  DEMO_PASSWORD,
  assertSignedIn,
  getJson,
  launch,
  newPage,
  safeRoutesId,
  screenshot,
  unique,
  url,
  visit,
} from './helpers.js';

/** The demo's one person stakeholder on Safe Routes (crates/app/src/demo.rs): personal data. */
const DEMO_PERSON = 'Grace Adeyemi';
const DEMO_PERSON_EMAIL = 'grace.adeyemi@example.org';
const DEMO_PERSON_PHONE = '+44 20 7946 0312';
/** A group on Safe Routes: its name is public. */
const DEMO_GROUP = "Riverton Parents' Association";

const PHONE = { width: 375, height: 800 };

let browser;
let collaborationId;
let safeRoutes;
/** The stakeholder the first journey adds: { id, name }. The later journeys use it. */
let created;

before(async () => {
  browser = await launch();
  collaborationId = await safeRoutesId();
  safeRoutes = `/collaborations/${collaborationId}`;
});
after(async () => {
  await browser?.close();
});

/** Presses Tab until the element matching `selector` has focus (bounded: fails if it never does). */
async function tabTo(page, selector, maxPresses = 80) {
  for (let i = 0; i < maxPresses; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
      return;
    }
  }
  assert.fail(`${selector} never received focus after ${maxPresses} Tab presses on ${page.url()}`);
}

/** Tabs into a radio group, then moves with the arrow keys (or Space) until `id` is checked. */
async function chooseRadio(page, name, id) {
  await tabTo(page, `input[type=radio][name="${name}"]`);
  for (let i = 0; i < 10; i += 1) {
    const focused = await page.evaluate(() => document.activeElement?.id);
    if (focused === id) {
      await page.keyboard.press('Space');
      break;
    }
    await page.keyboard.press('ArrowDown');
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), id, `the arrow keys should reach #${id}`);
  assert.ok(await page.locator(`#${id}`).isChecked(), `#${id} is chosen with the keyboard`);
}

/** Signs in with the keyboard only: Tab to the fields, type, Enter. */
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

async function signedInCarol() {
  const page = await newPage(browser);
  await signInWithKeyboard(page, CAROL);
  return page;
}

/** Runs `action` (a click or a key press that posts a form) and waits for the page it answers with. */
async function postAndLoad(page, pathname, action) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === pathname),
    page.waitForEvent('domcontentloaded'),
    action(),
  ]);
  return response;
}

/** Presses Enter on the focused submit button and waits for the page the POST answers with. */
function submitWithEnter(page, pathname) {
  return postAndLoad(page, pathname, () => page.keyboard.press('Enter'));
}

/** A quadrant of the grid, found by its heading (the section is a region named by it). */
function quadrant(page, label) {
  return page.getByRole('region', { name: new RegExp(`^${label}\\b`) });
}

function isoDay(offsetDays) {
  const day = new Date(Date.now() + offsetDays * 86_400_000);
  return day.toISOString().slice(0, 10);
}

test('keyboard only: a coordinator adds a stakeholder and finds it in its quadrant', async () => {
  const name = `Riverton Taxi Drivers ${unique()}`;
  const stake = 'Drop-off runs at the school gates move if the streets close at drop-off time.';
  const page = await signedInCarol();

  // The register, then "Add a stakeholder" by keyboard.
  await visit(page, `${safeRoutes}/stakeholders`);
  await tabTo(page, `main a[href="${safeRoutes}/stakeholders/new"]`);
  assert.equal((await page.evaluate(() => document.activeElement.textContent)).trim(), 'Add a stakeholder');
  await Promise.all([page.waitForURL((u) => u.pathname === `${safeRoutes}/stakeholders/new`), page.keyboard.press('Enter')]);
  assert.equal(await page.locator('h1').innerText(), 'Add a stakeholder');

  // First without an influence score.
  await chooseRadio(page, 'kind', 'kind-external_organisation');
  await tabTo(page, '#name');
  await page.keyboard.type(name);
  await tabTo(page, '#stake');
  await page.keyboard.type(stake);
  await chooseRadio(page, 'interest', 'interest-2');
  await tabTo(page, 'main form.stack-form button[type=submit]');
  const refused = await submitWithEnter(page, `${safeRoutes}/stakeholders/new`);
  assert.equal(refused.status(), 422, 'a stakeholder without influence is refused');
  const influenceError = page.locator('fieldset#influence #influence-error');
  assert.ok(await influenceError.isVisible(), 'the error is shown in the influence fieldset');
  assert.ok((await influenceError.innerText()).trim().length > 10, 'the error says what is wrong');
  assert.equal(await page.locator('fieldset#influence').getAttribute('aria-describedby'), 'influence-hint influence-error');
  assert.equal(await page.locator('.error-summary').count(), 1, 'the error summary is shown');
  // What was typed and chosen is kept.
  assert.equal(await page.inputValue('#name'), name);
  assert.equal(await page.inputValue('#stake'), stake);
  assert.ok(await page.locator('#kind-external_organisation').isChecked(), 'the kind is kept');
  assert.ok(await page.locator('#interest-2').isChecked(), 'the interest is kept');

  // Then with an influence of 5: high influence, low interest.
  await chooseRadio(page, 'influence', 'influence-5');
  await tabTo(page, 'main form.stack-form button[type=submit]');
  await Promise.all([
    page.waitForURL(/\/stakeholders\/[0-9a-f-]{36}\?done=created/),
    page.keyboard.press('Enter'),
  ]);
  const id = new URL(page.url()).pathname.split('/').pop();
  created = { id, name };
  assert.equal(await page.locator('h1').innerText(), name);
  assert.match(await page.locator('.notice').innerText(), /added/i);
  const details = await page.locator('dl.summary-list').innerText();
  assert.match(details, /Keep satisfied/);
  assert.match(details, /5 – decisive/);
  assert.ok(details.includes(stake), 'the stake is shown');

  // The grid lists it under "Keep satisfied" and nowhere else.
  await visit(page, `${safeRoutes}/stakeholders`);
  const cell = quadrant(page, 'Keep satisfied');
  assert.equal(await cell.count(), 1, 'the grid has a "Keep satisfied" region');
  assert.equal(await cell.getByRole('link', { name, exact: true }).count(), 1, `"${name}" is in "Keep satisfied"`);
  for (const other of ['Manage closely', 'Keep informed', 'Monitor']) {
    assert.equal(await quadrant(page, other).getByRole('link', { name, exact: true }).count(), 0, `"${name}" is not in "${other}"`);
  }
  const row = page.locator('table tbody tr').filter({ has: page.getByRole('link', { name, exact: true }) });
  assert.equal(await row.count(), 1, 'the list has one row for it');
  assert.match(await row.innerText(), /External organisation/);
  await page.context().close();
});

test('an engagement in the future is refused beside the date; a past one is listed newest first', async () => {
  assert.ok(created, 'the first journey added a stakeholder');
  const page = await signedInCarol();
  const log = `${safeRoutes}/engagements`;
  const summary = `Phoned the taxi drivers' association about school-street timings ${unique()}.`;
  await visit(page, log);
  const form = page.locator(`form[method=post][action="${log}"]`);
  assert.equal(await form.count(), 1, 'the log has a record form');

  async function fillForm(date) {
    await page.fill('#engaged_on', date);
    await page.selectOption('#channel', 'call');
    if ((await page.locator('select#stakeholder_ids').count()) > 0) {
      await page.selectOption('select#stakeholder_ids', created.id);
    } else {
      await page.locator(`#stakeholder-${created.id}`).check();
    }
    await page.fill('#summary', summary);
  }

  // A date after today: the message is beside the date field, and what was typed is kept.
  await fillForm(isoDay(3));
  const refused = await postAndLoad(page, log, () => form.locator('button[type=submit]').click());
  assert.equal(refused.status(), 422, 'a future date is refused');
  const dateError = page.locator('.field:has(#engaged_on) #engaged_on-error');
  assert.ok(await dateError.isVisible(), 'the error is beside the date field');
  assert.match(await dateError.innerText(), /future/i);
  assert.equal(await page.locator('#engaged_on').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.inputValue('#summary'), summary, 'the summary is kept');

  // Today: recorded, and the first of the log.
  await fillForm(isoDay(0));
  await Promise.all([
    page.waitForURL(/\/engagements\?done=recorded/),
    page.locator(`form[method=post][action="${log}"] button[type=submit]`).click(),
  ]);
  assert.match(await page.locator('.notice').innerText(), /./);
  const entries = page.locator('ol.eg-log > li');
  const mine = entries.filter({ hasText: summary });
  assert.equal(await mine.count(), 1, 'the new engagement is listed');
  assert.match(await mine.innerText(), new RegExp(created.name));
  const dates = await entries.locator('h3 time').evaluateAll((all) => all.map((t) => t.getAttribute('datetime')));
  assert.deepEqual(dates, [...dates].sort().reverse(), 'the log is newest first');
  assert.equal(dates[0], isoDay(0), 'today\'s engagement heads the log');
  const myDate = await mine.locator('h3 time').getAttribute('datetime');
  assert.equal(myDate, isoDay(0));

  // The stakeholder page counts it.
  await visit(page, `/stakeholders/${created.id}`);
  assert.ok((await page.locator('main').innerText()).includes(summary), 'the stakeholder page lists the engagement');
  await page.context().close();
});

test('RACI: one Accountable per objective, refused beside the role, and the rule check follows', async () => {
  assert.ok(created, 'the first journey added a stakeholder');
  const page = await signedInCarol();
  const raci = `${safeRoutes}/raci`;
  const matrix = async () => {
    const response = await page.request.get(url(`/api/v1${raci}`)); // public: no token needed
    assert.equal(response.status(), 200);
    return response.json();
  };
  const before = await matrix();
  const row = before.rows[0];
  assert.ok(row, 'Safe Routes has objectives');
  const accountableAt = row.roles.indexOf('A');
  assert.ok(accountableAt >= 0, `the demo gives "${row.title}" an Accountable`);
  const demoAccountable = before.columns[accountableAt].party;
  const mine = `stakeholder:${created.id}`;

  async function assign(party, role, expected = 'ok') {
    await visit(page, raci);
    await page.selectOption('#objective_id', row.objective_id);
    await page.selectOption('#party', party);
    await page.selectOption('#role', role);
    const response = await postAndLoad(page, raci, () => page.locator(`form[action="${raci}"] button[type=submit]`).click());
    if (expected === 'ok') {
      assert.ok([200, 303].includes(response.status()), `assigning ${role || 'no role'} answered ${response.status()}`);
      assert.equal(await page.locator('#role-error').count(), 0, `assigning ${role || 'no role'} is accepted`);
    } else {
      assert.equal(response.status(), 422, 'a second Accountable is refused');
    }
  }
  const checkList = () => page.locator('section[aria-labelledby="raci-check-heading"]');
  const listed = async () => (await checkList().locator('li').filter({ hasText: row.title }).count()) > 0;

  // Without an Accountable the rule check lists the objective.
  await assign(demoAccountable, '');
  assert.ok(await listed(), `"${row.title}" breaks the rule without an Accountable`);
  assert.match(await checkList().innerText(), /Accountable/i);

  // The new stakeholder becomes the Accountable: the row is lawful again and the matrix shows it.
  await assign(mine, 'A');
  assert.ok(!(await listed()), `"${row.title}" no longer breaks the rule`);
  const table = page.locator('table.raci-table');
  const header = table.locator('thead th').filter({ hasText: created.name });
  assert.equal(await header.count(), 1, 'the new stakeholder has a column');
  const column = await header.evaluate((th) => th.cellIndex);
  const objectiveRow = table.locator('tbody tr').filter({ has: page.locator('th', { hasText: row.title }) });
  assert.match(await objectiveRow.locator('td, th').nth(column).innerText(), /Accountable|A/);

  // A second Accountable: refused with the message beside the role field, choices kept.
  await assign(demoAccountable, 'A', 'refused');
  const roleError = page.locator('.field:has(#role) #role-error');
  assert.ok(await roleError.isVisible(), 'the error is beside the role field');
  assert.match(await roleError.innerText(), /already has an Accountable/i);
  assert.equal(await page.locator('#role').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.inputValue('#party'), demoAccountable, 'the chosen party is kept');
  assert.equal(await page.inputValue('#role'), 'A', 'the chosen role is kept');
  assert.ok(!(await listed()), 'the refused change broke no rule');

  // Put the demo back as it was (the accessibility scans and other runs read this matrix).
  await assign(mine, '');
  await assign(demoAccountable, 'A');
  assert.ok(!(await listed()), `"${row.title}" has its Accountable back`);
  const after = await matrix();
  assert.equal(after.rows[0].problems.length, row.problems.length);
  await page.context().close();
});

test('privacy: an anonymous visitor never sees a person\'s name or contact details', async () => {
  const page = await newPage(browser);
  await visit(page, `${safeRoutes}/stakeholders`);
  const withheld = page.getByRole('link', { name: 'A person (name withheld)' });
  assert.ok((await withheld.count()) > 0, 'persons are listed as "name withheld"');
  assert.ok((await page.getByRole('link', { name: DEMO_GROUP, exact: true }).count()) > 0, 'groups are named');
  const secrets = [DEMO_PERSON, 'Adeyemi', DEMO_PERSON_EMAIL, DEMO_PERSON_PHONE];
  const assertNothingPersonal = async (where) => {
    const html = await page.content();
    for (const secret of secrets) {
      assert.ok(!html.includes(secret), `${where} reveals "${secret}" to an anonymous visitor`);
    }
  };
  await assertNothingPersonal('the register');
  assert.equal(await page.locator(`a[href="${safeRoutes}/engagements"]`).count(), 0, 'no link to the engagement log');

  // The person's own page.
  await Promise.all([page.waitForURL(/\/stakeholders\/[0-9a-f-]{36}$/), withheld.first().click()]);
  assert.equal(await page.locator('h1').innerText(), 'A person (name withheld)');
  assert.match(await page.locator('main').innerText(), /shown only to members/);
  await assertNothingPersonal('the person\'s page');

  // The RACI matrix names the head teacher's column only as withheld.
  await visit(page, `${safeRoutes}/raci`);
  await assertNothingPersonal('the RACI matrix');

  // The downloads follow the same rule.
  for (const file of ['stakeholders.csv', 'stakeholders.json']) {
    const response = await fetch(url(`${safeRoutes}/stakeholders/export/${file}`));
    assert.equal(response.status, 200, `${file} answered ${response.status}`);
    const body = await response.text();
    for (const secret of secrets) assert.ok(!body.includes(secret), `${file} reveals "${secret}"`);
  }
  const api = await getJson(`/api/v1${safeRoutes}/stakeholders`);
  assert.ok(!JSON.stringify(api).includes(DEMO_PERSON), 'the API withholds the name too');

  // The engagement log is for members only: the visitor is sent to sign in or refused.
  const response = await page.goto(url(`${safeRoutes}/engagements`));
  const landed = new URL(page.url());
  assert.ok(
    landed.pathname === '/sign-in' || [401, 403, 404].includes(response.status()),
    `the engagement log answered ${response.status()} at ${landed.pathname} to an anonymous visitor`,
  );
  assert.equal(await page.locator('ol.eg-log').count(), 0, 'no engagement is listed');
  await assertNothingPersonal('the engagement log');
  await page.context().close();
});

test('the grid and the register fit a 375 px wide phone without sideways scrolling', async () => {
  for (const signedIn of [false, true]) {
    const page = await newPage(browser, { viewport: PHONE });
    if (signedIn) await signInWithKeyboard(page, CAROL);
    for (const path of [`${safeRoutes}/stakeholders`, `${safeRoutes}/engagements`, `${safeRoutes}/raci`]) {
      if (!signedIn && path.endsWith('/engagements')) continue;
      await visit(page, path);
      if (path.endsWith('/stakeholders')) {
        assert.ok(await quadrant(page, 'Manage closely').isVisible(), 'the grid is shown');
      }
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      if (scrollWidth > clientWidth) {
        const shot = await screenshot(page, `overflow-stakeholders-${signedIn ? 'carol' : 'anonymous'}-${path.split('/').pop()}`);
        assert.fail(`${path} scrolls sideways (${scrollWidth}px > ${clientWidth}px) at 375 px wide; see ${shot}`);
      }
    }
    await page.context().close();
  }
});

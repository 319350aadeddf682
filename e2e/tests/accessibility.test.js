// axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation on any page, for each kind of visitor.
// Every page is its own subtest: a failure names the page and lists each rule and element.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  ADMIN,
  ALICE,
  CAROL,
  MINISTRY_OF_HEALTH,
  assertNoAxeViolations,
  launch,
  newPage,
  organisationId,
  safeRoutesId,
  signIn,
  url,
  visit,
} from './helpers.js';

let browser;
let safeRoutes;
let ministry;

before(async () => {
  browser = await launch();
  safeRoutes = `/collaborations/${await safeRoutesId()}`;
  ministry = `/organisations/${await organisationId(MINISTRY_OF_HEALTH)}`;
});
after(async () => {
  await browser?.close();
});

/** Scans one page reached by GET, after checking it answered the expected status. */
async function scan(page, label, path, status = 200) {
  await visit(page, path, status);
  await assertNoAxeViolations(page, label);
}

/** The new-collaboration form submitted empty: the 422 page with its error summary. */
async function scanFormWithErrors(page) {
  await visit(page, '/collaborations/new');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/collaborations'),
    page.locator('main form.stack-form button[type=submit]').click(),
  ]);
  await page.waitForLoadState('domcontentloaded');
  assert.equal(response.status(), 422);
  assert.equal(await page.locator('.error-summary').count(), 1, 'the error summary is shown');
  await assertNoAxeViolations(page, 'new collaboration form with errors');
}

describe('anonymous visitor', () => {
  let page;
  before(async () => {
    page = await newPage(browser);
  });
  after(async () => {
    await page.context().close();
  });

  test('home', () => scan(page, 'home (anonymous)', '/'));
  test('sign in', () => scan(page, 'sign in', '/sign-in'));
  test('collaborations list', () => scan(page, 'collaborations (anonymous)', '/collaborations'));
  test('public collaboration', () => scan(page, 'Safe Routes (anonymous)', safeRoutes));
  test('organisations list', () => scan(page, 'organisations (anonymous)', '/organisations'));
  test('organisation page', () => scan(page, 'Ministry of Health (anonymous)', ministry));
  test('not found page', () => scan(page, '404 page', '/no-such-page', 404));
});

describe('coordinator (carol)', () => {
  let page;
  before(async () => {
    page = await newPage(browser);
    await signIn(page, CAROL);
  });
  after(async () => {
    await page.context().close();
  });

  test('home', () => scan(page, 'home (carol)', '/'));
  test('collaborations list', () => scan(page, 'collaborations (carol)', '/collaborations'));
  test('new collaboration form', () => scan(page, 'new collaboration form', '/collaborations/new'));
  test('new collaboration form with errors', () => scanFormWithErrors(page));
  test('collaboration, coordinator view', async () => {
    await visit(page, safeRoutes);
    assert.ok(
      (await page.locator(`form[action="${safeRoutes}/organisations"], form[action="${safeRoutes}/people"]`).count()) > 0,
      'the coordinator sees the forms that manage members',
    );
    await assertNoAxeViolations(page, 'Safe Routes (coordinator)');
  });
  test('collaboration edit', () => scan(page, 'Safe Routes edit', `${safeRoutes}/edit`));
  test('collaboration history', () => scan(page, 'Safe Routes history', `${safeRoutes}/history`));
  test('account', () => scan(page, 'account (carol)', '/account'));
  test('new objective form', () => scan(page, 'new objective form', `${safeRoutes}/objectives/new`));
  test('objective page and its edit form', async () => {
    const response = await page.request.get(url(`/api/v1${safeRoutes}/objectives`));
    assert.equal(response.status(), 200);
    const objectives = await response.json();
    assert.ok(objectives.length > 0, 'the demo has objectives on Safe Routes');
    await scan(page, 'objective page', `/objectives/${objectives[0].id}`);
    await scan(page, 'objective edit', `/objectives/${objectives[0].id}/edit`);
  });
});

describe('platform admin', () => {
  let page;
  before(async () => {
    page = await newPage(browser);
    await signIn(page, ADMIN);
  });
  after(async () => {
    await page.context().close();
  });

  test('new organisation form', () => scan(page, 'new organisation form', '/organisations/new'));
  test('accounts', () => scan(page, 'accounts (admin)', '/admin/accounts'));
  test('new account form', () => scan(page, 'new account form', '/admin/accounts/new'));
});

describe('organisation admin (alice)', () => {
  let page;
  before(async () => {
    page = await newPage(browser);
    await signIn(page, ALICE);
  });
  after(async () => {
    await page.context().close();
  });

  test('organisation edit', () => scan(page, 'Ministry of Health edit', `${ministry}/edit`));
});

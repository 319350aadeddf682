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
  getJson,
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

/** The demo's Safe Routes objectives and the key results of the first one (a public collaboration). */
async function keyResults() {
  const objectives = await getJson(`/api/v1/collaborations/${await safeRoutesId()}/objectives`);
  const keyResults = await getJson(`/api/v1/objectives/${objectives[0].id}/key-results`);
  assert.ok(keyResults.length > 0, 'the demo has key results on Safe Routes');
  return { objective: objectives[0].id, keyResult: keyResults[0].key_result.id };
}

/** A demo stakeholder of Safe Routes by name, as the public API lists it (not a person). */
async function demoStakeholder(name) {
  const register = await getJson(`/api/v1/collaborations/${await safeRoutesId()}/stakeholders`);
  const found = register.items.map((entry) => entry.stakeholder).find((s) => s.name === name);
  assert.ok(found, `the demo has the stakeholder "${name}" on Safe Routes`);
  return found.id;
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
  test('status help page', () => scan(page, 'status help (anonymous)', '/help/status'));
  test('key result page', async () => {
    const { keyResult } = await keyResults();
    await scan(page, 'key result (anonymous)', `/key-results/${keyResult}`);
  });
  test('dashboard', () => scan(page, 'Safe Routes dashboard (anonymous)', `${safeRoutes}/dashboard`));
  test('charter', () => scan(page, 'Safe Routes charter (anonymous)', `${safeRoutes}/charter`));
  test('portfolio', () => scan(page, 'Ministry of Health portfolio (anonymous)', `${ministry}/portfolio`));
  test('stakeholder register', async () => {
    await scan(page, 'Safe Routes stakeholders (anonymous)', `${safeRoutes}/stakeholders`);
    assert.ok((await page.getByText('A person (name withheld)').count()) > 0, 'persons are withheld');
  });
  test('stakeholder page of a group', async () => {
    const group = await demoStakeholder("Riverton Parents' Association");
    await scan(page, 'group stakeholder (anonymous)', `/stakeholders/${group}`);
  });
  test('RACI matrix', () => scan(page, 'Safe Routes RACI (anonymous)', `${safeRoutes}/raci`));
  test('stakeholders help page', () => scan(page, 'stakeholders help (anonymous)', '/help/stakeholders'));
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
  test('dashboard, with every data table open', async () => {
    await visit(page, `${safeRoutes}/dashboard`);
    assert.ok((await page.locator('.status-strip').count()) > 0, 'the dashboard shows its summary strip');
    await assertNoAxeViolations(page, 'Safe Routes dashboard');
    await page.locator('main details').evaluateAll((all) => all.forEach((d) => { d.open = true; }));
    await assertNoAxeViolations(page, 'Safe Routes dashboard, details open');
  });
  test('portfolio', async () => {
    const city = await organisationId('City of Riverton');
    await scan(page, 'City of Riverton portfolio (carol)', `/organisations/${city}/portfolio`);
  });
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
  test('reviews, the review form with errors, and a recorded review', async () => {
    await scan(page, 'Safe Routes reviews', `${safeRoutes}/reviews`);
    await scan(page, 'new review form', `${safeRoutes}/reviews/new`);
    await page.fill('#summary', 'Accessibility review');
    await page.selectOption('select[name="assessments[0].override_status"]', 'at_risk');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `${safeRoutes}/reviews`),
      page.locator('main form.stack-form button[type=submit]').click(),
    ]);
    await page.waitForLoadState('domcontentloaded');
    assert.equal(refused.status(), 422, 'an override without a reason is refused');
    assert.equal(await page.locator('.error-summary').count(), 1, 'the error summary is shown');
    await assertNoAxeViolations(page, 'new review form with errors');
    await page.fill('textarea[name="assessments[0].override_reason"]', 'Checked with the schools');
    await Promise.all([
      page.waitForURL(/\/reviews\/[0-9a-f-]+\?done=recorded/),
      page.locator('main form.stack-form button[type=submit]').click(),
    ]);
    await assertNoAxeViolations(page, 'recorded review');
  });
  test('charter: edit form with errors, the charter, a version and a diff', async () => {
    const charter = `${safeRoutes}/charter`;
    await scan(page, 'charter edit form', `${charter}/edit`);
    await page.fill('#body', '');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === charter),
      page.locator('main form button[type=submit]').click(),
    ]);
    await page.waitForLoadState('domcontentloaded');
    assert.equal(refused.status(), 422, 'an empty charter is refused');
    assert.equal(await page.locator('#body-error').count(), 1, 'the error is beside the field');
    await assertNoAxeViolations(page, 'charter edit form with errors');
    for (const body of ['# Purpose\n\nSafer streets.\n\n| Organisation | Role |\n|---|---|\n| City | Lead |',
      '# Purpose\n\nSafer streets for every child.\n\n| Organisation | Role |\n|---|---|\n| City | Lead |']) {
      await visit(page, `${charter}/edit`);
      await page.fill('#body', body);
      await Promise.all([
        page.waitForURL(/\/charter\?done=saved/),
        page.locator('main form button[type=submit]').click(),
      ]);
    }
    await assertNoAxeViolations(page, 'charter (carol)');
    await scan(page, 'charter version 1', `${charter}/versions/1`);
    await scan(page, 'charter diff', `${charter}/diff?from=1&to=2`);
    assert.ok((await page.locator('main .visually-hidden', { hasText: 'added' }).count()) > 0, 'added lines are named');
  });
  test('key result page, its forms, and a measurement with errors', async () => {
    const { objective, keyResult } = await keyResults();
    await scan(page, 'new key result form', `/objectives/${objective}/key-results/new`);
    await scan(page, 'key result edit', `/key-results/${keyResult}/edit`);
    await scan(page, 'key result (carol)', `/key-results/${keyResult}`);
    assert.equal(await page.locator('main svg.chart').count(), 1, 'the chart is drawn');
    await page.fill('#value', 'lots');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/key-results/${keyResult}/measurements`),
      page.locator('main form.record-form button[type=submit]').click(),
    ]);
    await page.waitForLoadState('domcontentloaded');
    assert.equal(refused.status(), 422);
    assert.equal(await page.locator('#value-error').count(), 1, 'the error is beside the value');
    await assertNoAxeViolations(page, 'key result with a measurement error');
  });
  test('measurement upload, and a file with bad rows', async () => {
    const path = `${safeRoutes}/measurements/import`;
    await scan(page, 'measurement upload', path);
    const { keyResult } = await keyResults();
    await page.setInputFiles('#file', {
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`key_result_id,date,value\n${keyResult},2999-01-01,lots\nnot-an-id,2026-01-01,3\n`),
    });
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path),
      page.locator('main form.stack-form button[type=submit]').click(),
    ]);
    await page.waitForLoadState('domcontentloaded');
    assert.equal(refused.status(), 422);
    assert.equal(await page.locator('#bad-rows-heading').count(), 1, 'the bad rows are listed');
    await assertNoAxeViolations(page, 'measurement upload with bad rows');
  });
  test('stakeholder register, filtered register, flags, import', async () => {
    await scan(page, 'Safe Routes stakeholders (carol)', `${safeRoutes}/stakeholders`);
    assert.ok((await page.locator('main .sh-grid').count()) > 0, 'the grid is shown');
    await scan(page, 'Safe Routes stakeholders, filtered', `${safeRoutes}/stakeholders?quadrant=manage_closely&sort=influence&order=desc`);
    await scan(page, 'Safe Routes flagged stakeholders', `${safeRoutes}/stakeholders/flags`);
    await scan(page, 'stakeholder import', `${safeRoutes}/stakeholders/import`);
  });
  test('new stakeholder form, and with errors', async () => {
    const path = `${safeRoutes}/stakeholders/new`;
    await scan(page, 'new stakeholder form', path);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path),
      page.waitForEvent('domcontentloaded'), // the answer's page, not the form still showing
      page.locator('main form.stack-form button[type=submit]').click(),
    ]);
    assert.equal(response.status(), 422);
    assert.equal(await page.locator('.error-summary').count(), 1, 'the error summary is shown');
    assert.ok((await page.locator('.field-error').count()) > 0, 'the errors are beside their fields');
    await assertNoAxeViolations(page, 'new stakeholder form with errors');
  });
  test('a person stakeholder: page, edit form, erase confirmation', async () => {
    // The API takes bearer tokens, not the session cookie: find her on the register page.
    await visit(page, `${safeRoutes}/stakeholders`);
    const link = page.locator('main table').getByRole('link', { name: 'Grace Adeyemi', exact: true });
    assert.equal(await link.count(), 1, 'the demo has the person "Grace Adeyemi" on Safe Routes');
    const person = await link.getAttribute('href');
    await scan(page, 'person stakeholder (carol)', person);
    await scan(page, 'stakeholder edit', `${person}/edit`);
    await scan(page, 'stakeholder erase confirmation', `${person}/erase`);
  });
  test('engagement log, and its record form with errors', async () => {
    const path = `${safeRoutes}/engagements`;
    await scan(page, 'Safe Routes engagements', path);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path),
      page.waitForEvent('domcontentloaded'),
      page.locator(`main form[method=post][action="${path}"] button[type=submit]`).click(),
    ]);
    assert.equal(response.status(), 422, 'an empty engagement is refused');
    assert.equal(await page.locator('.error-summary').count(), 1, 'the error summary is shown');
    await assertNoAxeViolations(page, 'engagement record form with errors');
  });
  test('RACI matrix', () => scan(page, 'Safe Routes RACI (carol)', `${safeRoutes}/raci`));
});

describe('key result owner (bob)', () => {
  let page;
  before(async () => {
    page = await newPage(browser);
    await signIn(page, 'bob@transport.example');
  });
  after(async () => {
    await page.context().close();
  });

  test('home with measurements due', async () => {
    await visit(page, '/');
    assert.equal(await page.locator('#due-heading').count(), 1, 'Bob owns key results');
    await assertNoAxeViolations(page, 'home with measurements due (bob)');
  });
  test('objective page with key results', async () => {
    const { objective } = await keyResults();
    await scan(page, 'objective with key results (bob)', `/objectives/${objective}`);
  });
  test('charter with the sign-off button, then signed', async () => {
    const charter = `${safeRoutes}/charter`;
    await scan(page, 'charter (bob)', charter);
    if ((await page.locator('form[action$="/charter/sign-off"]').count()) > 0) {
      await Promise.all([
        page.waitForURL(/\/charter\?done=signed/),
        page.locator('form[action$="/charter/sign-off"] button[type=submit]').click(),
      ]);
      await assertNoAxeViolations(page, 'charter signed (bob)');
    }
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

describe('discussion threads (carol starts one, then each page is scanned)', () => {
  let page;
  let thread; // "/threads/<id>"
  let reply; // the id of carol's edited reply
  before(async () => {
    page = await newPage(browser);
    await signIn(page, CAROL);
    // The demo has no thread: start one through the form, reply, and edit the reply.
    await visit(page, `${safeRoutes}/threads/new`);
    await page.fill('#title', `Crossing patrol rota ${Date.now().toString(36)}`);
    await page.fill('#body', 'Who can cover **Monday**?\n\n- Riverton\n- Trust\n\nSee [the plan](https://example.org/plan).');
    await Promise.all([
      page.waitForURL(/\/threads\/[0-9a-f-]+\?done=started/),
      page.locator('main form button[type=submit]').click(),
    ]);
    thread = new URL(page.url()).pathname;
    await page.fill('#body', 'I can take Mondays.');
    await Promise.all([
      page.waitForURL(/#m-[0-9a-f-]+$/),
      page.locator(`main form[action="${thread}/messages"] button[type=submit]`).click(),
    ]);
    reply = new URL(page.url()).hash.slice('#m-'.length);
    await visit(page, `/messages/${reply}/edit`);
    await page.fill('#body', 'I can take Mondays and *Wednesdays*.');
    await Promise.all([
      page.waitForURL(/done=edited/),
      page.locator('main form button[type=submit]').click(),
    ]);
  });
  after(async () => {
    await page.context().close();
  });

  test('thread list', async () => {
    await scan(page, 'Safe Routes threads (carol)', `${safeRoutes}/threads`);
    assert.ok((await page.locator(`main a[href="${thread}"]`).count()) > 0, 'the new thread is listed');
  });
  test('collaboration page with its Discussion section', async () => {
    await scan(page, 'Safe Routes with a thread (carol)', safeRoutes);
    assert.ok((await page.locator(`#discussion-heading`).count()) === 1, 'the Discussion section is shown');
  });
  test('new thread form, and with errors', async () => {
    const path = `${safeRoutes}/threads/new`;
    await scan(page, 'new thread form', path);
    // A narrower audience without the author's own organisation, no title, no message.
    const boxes = page.locator('main input[name="audience"]');
    assert.ok((await boxes.count()) > 1, 'the audience offers the member organisations');
    await boxes.nth(1).check();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path),
      page.waitForEvent('domcontentloaded'),
      page.locator('main form button[type=submit]').click(),
    ]);
    assert.equal(response.status(), 422);
    assert.equal(await page.locator('.error-summary').count(), 1, 'the error summary is shown');
    assert.ok((await page.locator('.field-error').count()) >= 2, 'the errors are beside their fields');
    assert.ok(await boxes.nth(1).isChecked(), 'the ticked organisation stays ticked');
    await assertNoAxeViolations(page, 'new thread form with errors');
  });
  test('thread page, and the reply refused beside the textarea', async () => {
    await scan(page, 'thread page (carol)', thread);
    assert.equal(await page.locator(`main article#m-${reply}`).count(), 1, 'each message is an article with its anchor');
    assert.equal(await page.locator(`main a[href="/messages/${reply}/versions"]`).count(), 1, 'the edited marker links to the versions');
    await page.fill('#body', '   ');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `${thread}/messages`),
      page.waitForEvent('domcontentloaded'),
      page.locator(`main form[action="${thread}/messages"] button[type=submit]`).click(),
    ]);
    assert.equal(response.status(), 422, 'an empty reply is refused');
    assert.equal(await page.locator('#body-error').count(), 1, 'the error is beside the textarea');
    await assertNoAxeViolations(page, 'thread page with a reply error');
  });
  test('message edit form', () => scan(page, 'message edit form', `/messages/${reply}/edit`));
  test('message versions', async () => {
    await scan(page, 'message versions', `/messages/${reply}/versions`);
    assert.equal(await page.locator('main article.message').count(), 2, 'both versions are shown');
  });
  test('thread page, anonymous reader of a public collaboration', async () => {
    const anonymous = await newPage(browser);
    try {
      await scan(anonymous, 'thread page (anonymous)', thread);
      assert.equal(await anonymous.locator(`main form[action="${thread}/messages"]`).count(), 0, 'no reply form');
      await scan(anonymous, 'Safe Routes threads (anonymous)', `${safeRoutes}/threads`);
    } finally {
      await anonymous.context().close();
    }
  });
});

// Bad input on the new-collaboration form: the page answers 422, summarises the errors at the
// top with links to the fields, shows each message beside its field and keeps what was typed.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { CAROL, launch, newPage, signIn, visit } from './helpers.js';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('an empty new-collaboration form comes back with errors tied to the fields', async () => {
  const page = await newPage(browser);
  await signIn(page, CAROL);
  await visit(page, '/collaborations/new');

  // Title and summary stay empty; other fields get values that must survive the round trip.
  const problem = 'Heat waves hit the old town hardest.';
  const geography = 'Riverton old town';
  await page.locator('#problem_statement').fill(problem);
  await page.locator('#geography').fill(geography);
  await page.locator('#visibility-confidential').check();

  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/collaborations'),
    page.locator('main form.stack-form button[type=submit]').click(),
  ]);
  await page.waitForLoadState('domcontentloaded');
  assert.equal(response.status(), 422, 'invalid input answers 422 Unprocessable Content');

  // The error summary: an alert that links to each field in error.
  const summary = page.locator('.error-summary[role="alert"]');
  assert.equal(await summary.count(), 1, 'an error summary with role=alert');
  assert.equal(await summary.locator('a[href="#title"]').count(), 1, 'the summary links to the title');
  assert.equal(await summary.locator('a[href="#summary"]').count(), 1, 'the summary links to the summary');
  for (const href of ['#title', '#summary']) {
    const target = await page.locator(href).count();
    assert.equal(target, 1, `the summary link ${href} points at an existing field`);
  }

  // The messages beside the fields, tied to them for assistive technology.
  for (const field of ['title', 'summary']) {
    const message = page.locator(`#${field}-error`);
    assert.equal(await message.count(), 1, `a message beside ${field}`);
    assert.ok((await message.innerText()).trim().length > 0, `the ${field} message has text`);
    const input = page.locator(`#${field}`);
    assert.equal(await input.getAttribute('aria-invalid'), 'true', `${field} is marked invalid`);
    const describedBy = (await input.getAttribute('aria-describedby')) || '';
    assert.ok(describedBy.split(/\s+/).includes(`${field}-error`), `${field} is described by its message`);
  }
  assert.equal(await page.locator('#geography-error').count(), 0, 'no error for a valid field');

  // What was typed elsewhere is kept.
  assert.equal(await page.locator('#problem_statement').inputValue(), problem);
  assert.equal(await page.locator('#geography').inputValue(), geography);
  assert.ok(await page.locator('#visibility-confidential').isChecked(), 'the chosen visibility is kept');

  await page.context().close();
});

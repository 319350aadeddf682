// The evaluation journey: a contributor records a measurement on a key result and sees it counted;
// a target change is refused without a reason, then accepted with one and shown in the history.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { getJson, launch, newPage, safeRoutesId, signIn, visit } from './helpers.js';

const BOB = 'bob@transport.example'; // contributor on Safe Routes, owner of "Schools with a safe crossing"

let browser;
let keyResultPath;
before(async () => {
  browser = await launch();
  const objectives = await getJson(`/api/v1/collaborations/${await safeRoutesId()}/objectives`);
  for (const objective of objectives) {
    const keyResults = await getJson(`/api/v1/objectives/${objective.id}/key-results`);
    const found = keyResults.find((k) => k.key_result.name === 'Schools with a safe crossing');
    if (found) keyResultPath = `/key-results/${found.key_result.id}`;
  }
  assert.ok(keyResultPath, 'the demo has the "Schools with a safe crossing" key result');
});
after(async () => {
  await browser?.close();
});

test('a contributor records a measurement and sees it on the key result page', async () => {
  const page = await newPage(browser);
  await signIn(page, BOB);
  await visit(page, keyResultPath);
  const rowsBefore = await page.locator('table tbody tr').count();
  // A value that is not a number comes back with the message beside the field.
  await page.fill('#value', 'thirty');
  await Promise.all([page.waitForLoadState('load'), page.click('form[action$="/measurements"] button[type=submit]')]);
  assert.match(await page.locator('#value-error').innerText(), /number/i);
  assert.equal(await page.inputValue('#value'), 'thirty', 'what was typed is kept');
  // A real number goes in and shows up.
  await page.fill('#value', '31');
  await page.fill('#source', 'Browser test survey');
  await Promise.all([page.waitForURL(/done=/), page.click('form[action$="/measurements"] button[type=submit]')]);
  assert.match(await page.locator('.notice').innerText(), /recorded/i);
  assert.ok((await page.locator('table tbody tr').count()) > rowsBefore, 'one more measurement in the table');
  assert.match(await page.locator('table').first().innerText(), /Browser test survey/);
  await page.context().close();
});

test('a target change needs a reason and then appears in the target history', async () => {
  const page = await newPage(browser);
  await signIn(page, BOB);
  await visit(page, `${keyResultPath}/edit`);
  const target = await page.inputValue('#target_value');
  const raised = String(Number(target.replace(',', '.')) + 1);
  await page.fill('#target_value', raised);
  await page.fill('#target_change_reason', '');
  await Promise.all([page.waitForLoadState('load'), page.click('form button[type=submit].button')]);
  assert.ok(await page.locator('#target_change_reason-error').isVisible(), 'the reason is asked for beside its field');
  await page.fill('#target_change_reason', 'A new school opens in January');
  await Promise.all([page.waitForURL(/done=/), page.click('form button[type=submit].button')]);
  const history = await page.locator('.target-history').innerText();
  assert.match(history, /A new school opens in January/);
  assert.match(history, new RegExp(`to ${raised}`));
  await page.context().close();
});

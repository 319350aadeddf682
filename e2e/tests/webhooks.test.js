// Webhook pages (issue 5, item 7), as Safe Routes' coordinator: the endpoint list with the demo's
// paused endpoint, the add form (also after a refused address, errors beside the field), the
// deliveries page of the demo endpoint and the receivers' help page: each axe-clean (WCAG 2.2 AA).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { CAROL, assertNoAxeViolations, launch, newPage, safeRoutesId, signIn, visit } from './helpers.js';

let browser;
let collaborationId;

before(async () => {
  browser = await launch();
  collaborationId = await safeRoutesId();
});
after(async () => {
  await browser?.close();
});

test('the webhook pages are accessible to their coordinator, errors included', async () => {
  const page = await newPage(browser);
  await signIn(page, CAROL);
  const list = `/collaborations/${collaborationId}/webhooks`;
  await visit(page, list);
  assert.match(await page.locator('main').innerText(), /chat\.riverton\.example/);
  await assertNoAxeViolations(page, 'webhook list');

  await visit(page, `${list}/new`);
  await assertNoAxeViolations(page, 'webhook form');
  await page.locator('#url').fill('https://169.254.169.254/latest/meta-data');
  await page.locator('#kind-message').check();
  await Promise.all([page.waitForLoadState('load'), page.locator('main form.webhook-form button[type=submit]').click()]);
  await page.waitForSelector('#url-error');
  assert.equal(await page.locator('#url').getAttribute('aria-invalid'), 'true');
  await assertNoAxeViolations(page, 'webhook form with errors');

  const deliveries = page.locator('main a[href$="/deliveries"]').first();
  await visit(page, list);
  const href = await deliveries.getAttribute('href');
  await visit(page, href);
  assert.match(await page.locator('main').innerText(), /Delivered/);
  await assertNoAxeViolations(page, 'webhook deliveries');

  await visit(page, '/help/webhooks');
  await assertNoAxeViolations(page, 'webhook help');
  await page.context().close();
});

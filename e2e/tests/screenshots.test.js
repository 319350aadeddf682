// Full-page screenshots for a human to look at (e2e/test-results/, gitignored): the public
// collaboration page, its coordinator view, and a signed-in home page. Their layout is checked
// by eye; layout.test.js checks what a machine can (reflow on a phone-sized screen).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { CAROL, SAFE_ROUTES, launch, newPage, safeRoutesId, screenshot, signIn, visit } from './helpers.js';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('screenshots of the Safe Routes page and the signed-in home page', async () => {
  const id = await safeRoutesId();

  const anonymous = await newPage(browser);
  await visit(anonymous, `/collaborations/${id}`);
  assert.equal(await anonymous.locator('h1').innerText(), SAFE_ROUTES);
  await screenshot(anonymous, 'safe-routes-public');
  await anonymous.context().close();

  const page = await newPage(browser);
  await signIn(page, CAROL);
  await visit(page, `/collaborations/${id}`);
  assert.equal(await page.locator('h1').innerText(), SAFE_ROUTES);
  await screenshot(page, 'safe-routes-coordinator');
  await visit(page, '/');
  await screenshot(page, 'home-signed-in');

  await page.context().close();
});

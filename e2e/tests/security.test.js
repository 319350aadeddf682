// Security headers on page responses, as the browser receives them.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { CAROL, launch, newPage, signIn, url } from './helpers.js';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

function checkHeaders(headers, label) {
  const csp = headers['content-security-policy'];
  assert.ok(csp, `${label}: a Content-Security-Policy header`);
  assert.ok(!csp.includes("'unsafe-inline'"), `${label}: the CSP does not allow 'unsafe-inline': ${csp}`);
  assert.ok(!csp.includes("'unsafe-eval'"), `${label}: the CSP does not allow 'unsafe-eval': ${csp}`);
  assert.match(csp, /frame-ancestors 'none'/, `${label}: the CSP forbids framing`);
  assert.match(csp, /default-src 'self'/, `${label}: the CSP defaults to same-origin`);
  assert.equal(headers['x-content-type-options'], 'nosniff', `${label}: X-Content-Type-Options nosniff`);
  assert.ok(headers['referrer-policy'], `${label}: a Referrer-Policy header`);
  assert.notEqual(headers['referrer-policy'], 'unsafe-url', `${label}: a Referrer-Policy that does not leak URLs`);
}

test('pages carry the security headers', async () => {
  const page = await newPage(browser);
  for (const [path, status] of [['/', 200], ['/sign-in', 200], ['/no-such-page', 404]]) {
    const response = await page.goto(url(path));
    assert.equal(response.status(), status, `GET ${path}`);
    checkHeaders(await response.allHeaders(), `anonymous ${path}`);
  }
  await signIn(page, CAROL);
  const response = await page.goto(url('/collaborations/new'));
  assert.equal(response.status(), 200);
  checkHeaders(await response.allHeaders(), 'signed-in /collaborations/new');
  await page.context().close();
});

test('the session cookie is HttpOnly and SameSite', async () => {
  const page = await newPage(browser);
  await signIn(page, CAROL);
  const cookies = await page.context().cookies();
  assert.ok(cookies.length > 0, 'a session cookie is set');
  for (const cookie of cookies) {
    assert.ok(cookie.httpOnly, `cookie ${cookie.name} is HttpOnly`);
    assert.ok(['Lax', 'Strict'].includes(cookie.sameSite), `cookie ${cookie.name} is SameSite=Lax or Strict`);
  }
  await page.context().close();
});

// Shared helpers for the browser tests: one Debian Chromium driven by playwright-core, the base
// URL of a running `concord serve --demo`, sign-in, demo-data look-ups and axe-core scans.
//
// The tests expect the demo data (`concord serve --demo` on an empty database). They never
// download a browser: Chromium comes from Debian (/usr/bin/chromium, see scripts/setup.sh).

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export const BASE_URL = (process.env.CONCORD_E2E_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');

export const DEMO_PASSWORD = 'concord-demo';
export const CAROL = 'carol@riverton.example'; // City of Riverton, org admin, coordinator of Safe Routes
export const ALICE = 'alice@health.example'; // Ministry of Health, org admin
export const ADMIN = 'admin@concord.example'; // platform admin

export const SAFE_ROUTES = 'Safe Routes to School';
export const MINISTRY_OF_HEALTH = 'Ministry of Health';

/** Where screenshots go (gitignored). A label keeps the runs on both engines apart. */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');

const CHROMIUM = process.env.CONCORD_E2E_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export function url(path) {
  return BASE_URL + path;
}

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A fresh browser context (own cookies), in English unless told otherwise. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({
    locale: 'en-GB',
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const page = await context.newPage();
  return page;
}

/** Navigates and checks the HTTP status, so a scan never passes on an unexpected error page. */
export async function visit(page, path, expectedStatus = 200) {
  const response = await page.goto(url(path));
  assert.ok(response, `no response for ${path}`);
  assert.equal(
    response.status(),
    expectedStatus,
    `GET ${path} answered ${response.status()}, expected ${expectedStatus}`,
  );
  return response;
}

/** Signs in through the form (mouse or keyboard does not matter here; the flow test uses keys). */
export async function signIn(page, email) {
  await visit(page, '/sign-in');
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(DEMO_PASSWORD);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/sign-in')),
    page.locator('main button[type=submit]').click(),
  ]);
  await assertSignedIn(page);
}

/** The header shows a "Sign out" button only to a signed-in user. */
export async function assertSignedIn(page) {
  const signOut = page.locator('header form[action="/sign-out"] button');
  assert.equal(await signOut.count(), 1, `not signed in: no Sign out button on ${page.url()}`);
}

/** JSON from the open API, as the anonymous public sees it. */
export async function getJson(path) {
  const response = await fetch(url(path), { headers: { accept: 'application/json' } });
  assert.equal(response.status, 200, `GET ${path} answered ${response.status}`);
  return response.json();
}

async function findByName(path, field, name) {
  const list = await getJson(path);
  const item = list.items.find((entry) => entry[field] === name);
  assert.ok(item, `${path} does not list "${name}" (is the demo data loaded?)`);
  return item;
}

export async function safeRoutesId() {
  return (await findByName('/api/v1/collaborations', 'title', SAFE_ROUTES)).id;
}

export async function organisationId(name) {
  return (await findByName('/api/v1/organisations', 'name', name)).id;
}

/** Runs axe-core with the WCAG A/AA tags and returns the violations. */
export async function axeViolations(page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  // A scan that checked nothing (axe not injected, empty page) must not pass silently.
  assert.ok(results.passes.length > 0, `axe checked no rule on ${page.url()}`);
  return results.violations;
}

/** Human-readable list of violations: rule, impact, what to fix, and every offending element. */
export function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => {
          const summary = (n.failureSummary || '').replace(/\s+/g, ' ').trim();
          return `    - ${n.target.join(' ')}\n      html: ${n.html.slice(0, 240)}\n      ${summary}`;
        })
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

/** Fails with the full list of violations when axe finds any on the current page. */
export async function assertNoAxeViolations(page, label) {
  const violations = await axeViolations(page);
  if (violations.length > 0) {
    const message = `axe found ${violations.length} violation(s) on ${label} (${page.url()}):\n${formatViolations(violations)}`;
    // Also on stderr, so the list is readable even where the reporter shortens messages.
    console.error(message);
    assert.fail(message);
  }
}

export async function screenshot(page, name) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const label = process.env.CONCORD_E2E_LABEL ? `-${process.env.CONCORD_E2E_LABEL}` : '';
  const path = join(RESULTS_DIR, `${name}${label}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A short random suffix so repeated runs against one database do not collide. */
export function unique() {
  return Math.random().toString(36).slice(2, 8);
}

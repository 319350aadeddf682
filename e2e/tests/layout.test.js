// Reflow: at a phone-sized width (375 CSS px) no page scrolls sideways as a whole. Wide content
// such as a table may scroll inside its own container, but the page itself must fit
// (WCAG 1.4.10 asks for 320 px; the header, text and forms must not be cut off).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { CAROL, launch, newPage, safeRoutesId, screenshot, signIn, visit } from './helpers.js';

const PHONE = { width: 375, height: 800 };


let browser;
let safeRoutes;
before(async () => {
  browser = await launch();
  safeRoutes = `/collaborations/${await safeRoutesId()}`;
});
after(async () => {
  await browser?.close();
});

/** How far the page scrolls sideways, and the widest elements sticking out of the viewport. */
async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const culprits = [];
    for (const el of document.querySelectorAll('body *')) {
      const right = el.getBoundingClientRect().right;
      // Report the outermost element that sticks out, not each of its children.
      if (right > width + 0.5 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > width + 0.5)) {
        const name = el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') + (el.className ? `.${String(el.className).trim().replace(/\s+/g, '.')}` : '');
        culprits.push(`${name} (right edge at ${Math.round(right)}px)`);
      }
    }
    return { overflow: document.documentElement.scrollWidth - width, culprits: culprits.slice(0, 6) };
  });
}

async function assertFits(page, label, path) {
  await visit(page, path);
  const { overflow, culprits } = await horizontalOverflow(page);
  if (overflow > 0) {
    const shot = await screenshot(page, `overflow-${label.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()}`);
    assert.fail(`${label} (${path}) scrolls sideways by ${overflow}px at ${PHONE.width}px wide; sticking out: ${culprits.join(', ')}; see ${shot}`);
  }
}

describe('anonymous visitor on a phone', () => {
  let page;
  before(async () => {
    page = await newPage(browser, { viewport: PHONE });
  });
  after(async () => {
    await page.context().close();
  });
  test('home', () => assertFits(page, 'home (anonymous)', '/'));
  test('collaborations list', () => assertFits(page, 'collaborations (anonymous)', '/collaborations'));
  test('public collaboration', () => assertFits(page, 'Safe Routes (anonymous)', safeRoutes));
});

describe('coordinator on a phone', () => {
  let page;
  before(async () => {
    page = await newPage(browser, { viewport: PHONE });
    await signIn(page, CAROL);
  });
  after(async () => {
    await page.context().close();
  });
  test('home', () => assertFits(page, 'home (carol)', '/'));
  test('new collaboration form', () => assertFits(page, 'new collaboration form', '/collaborations/new'));
  test('collaboration, coordinator view', () => assertFits(page, 'Safe Routes (coordinator)', safeRoutes));
  test('collaboration history', () => assertFits(page, 'Safe Routes history', `${safeRoutes}/history`));
});

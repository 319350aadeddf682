// A French-speaking browser gets French pages: the language is negotiated from Accept-Language,
// announced in <html lang>, and the interface text is translated (not the English fallback).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launch, newPage, visit } from './helpers.js';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The interface texts that must be translated on a page. */
async function interfaceTexts(page) {
  return {
    lang: await page.locator('html').getAttribute('lang'),
    title: await page.title(),
    h1: (await page.locator('h1').first().innerText()).trim(),
    nav: (await page.locator('header nav').innerText()).trim(),
    skipLink: (await page.locator('.skip-link').textContent()).trim(),
    footer: (await page.locator('footer').innerText()).trim(),
  };
}

for (const [label, path] of [['home page', '/'], ['sign-in page', '/sign-in']]) {
  test(`the ${label} is in French for a French browser`, async () => {
    const english = await newPage(browser, { locale: 'en-GB' });
    await visit(english, path);
    const en = await interfaceTexts(english);
    await english.context().close();

    const french = await newPage(browser, {
      locale: 'fr-FR',
      extraHTTPHeaders: { 'Accept-Language': 'fr-FR,fr;q=0.9' },
    });
    await visit(french, path);
    const fr = await interfaceTexts(french);
    await french.context().close();

    assert.equal(en.lang, 'en');
    assert.equal(fr.lang, 'fr', 'html lang="fr"');
    for (const key of ['title', 'h1', 'nav', 'skipLink', 'footer']) {
      assert.notEqual(fr[key], en[key], `the ${key} of the ${label} is translated, not English: "${fr[key]}"`);
    }
  });
}

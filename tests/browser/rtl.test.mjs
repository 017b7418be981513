/*
 * rtl — the Arabic interface in Chromium (issue 14): chosen with the
 * language switcher on the process page, it is kept by its cookie for the
 * next page, the page is lang="ar" dir="rtl", the layout mirrors (the site's
 * name at the right, the account's links at the left: the style sheet's
 * logical properties, one sheet for both directions), and at 390 px axe finds
 * nothing and nothing scrolls sideways. The same page in English is the
 * control: its name is at the left.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { CALL1_OPEN, HERE, SLUG, TEST_TIMEOUT, assertNoFailures, launchBrowser, newPage, startServer } from './harness.mjs';

const AXE = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');

let server;
let browser;

before(async () => {
	server = await startServer(CALL1_OPEN);
	browser = await launchBrowser();
});

after(async () => {
	await browser?.close().catch(() => {});
	await server?.stop().catch(() => {});
});

const at = (p) => new URL(p, server.url).href;

/* Where the header's parts are: the brand's and the account links' left and right edges, and the width. */
async function headerLayout(page) {
	return page.evaluate(() => {
		const box = (sel) => document.querySelector(sel).getBoundingClientRect();
		return { brand: box('header.site .brand'), account: box('header.site nav.account'), width: innerWidth };
	});
}

test('the Arabic process page, chosen with the switcher, is right to left, mirrored and axe-clean at 390 px',
	{ timeout: TEST_TIMEOUT }, async () => {
		/* The page's Content-Security-Policy would refuse axe's script: bypassed, as crawl.test.mjs does. */
		const page = await newPage(browser, { viewport: { width: 390, height: 800 }, locale: 'en-US', bypassCSP: true });
		await page.goto(at('/processes/' + SLUG));
		assert.equal(await page.getAttribute('html', 'lang'), 'en');
		const ltr = await headerLayout(page);
		assert.ok(ltr.brand.left < ltr.width / 2, `English: the site's name at the left (${ltr.brand.left})`);

		await page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: '\u0627\u0644\u0639\u0631\u0628\u064a\u0629' }).click();
		await page.waitForURL(at('/processes/' + SLUG));
		assert.equal(await page.getAttribute('html', 'lang'), 'ar');
		assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
		/* The chrome in Arabic ("Search"), and the current language marked in the switcher. */
		assert.equal((await page.locator('header.site a.search').textContent()).trim(), '\u0628\u062d\u062b');
		assert.equal(await page.locator('nav.languages a[aria-current="true"]').getAttribute('lang'), 'ar');

		const rtl = await headerLayout(page);
		assert.ok(rtl.brand.right > rtl.width / 2, `Arabic: the site's name at the right (${rtl.brand.right} of ${rtl.width})`);
		assert.ok(rtl.account.left < rtl.brand.left, 'Arabic: the account links before it, to its left');
		const scroll = await page.evaluate(() => document.scrollingElement.scrollWidth);
		assert.ok(scroll <= 390, `nothing scrolls sideways (scrollWidth ${scroll})`);

		await page.addScriptTag({ path: AXE });
		const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
		assert.ok(result.passes.length > 10, 'axe ran its rules');
		assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);

		/* The cookie keeps it: the next page is Arabic too. */
		await page.goto(at('/about'));
		assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
		assertNoFailures(page);
		await page.context().close();
	});

test('the statistics charts keep their labels inside them on an Arabic page', { timeout: TEST_TIMEOUT }, async () => {
	/* two contributions through the API, so that the charts have bars with labels */
	for (const [category, country] of [['academia', 'FR'], ['member-states', 'IN']]) {
		const r = await fetch(at('/api/v1/calls/1/contributions'), {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ name: 'Chart ' + country, category, country, email: `chart-${country}@example.org`,
				text: 'A contribution for the charts.', publication: 'named' }),
		});
		assert.equal(r.status, 201, await r.text());
	}
	const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
	try {
		await page.context().addCookies([{ name: 'consulta_lang', value: 'ar', url: server.url }]);
		await page.goto(at('/calls/1/statistics'));
		assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
		/* A chart is drawn left to right (its axis, its bars); a label anchored at its end must not be laid out
		 * from the right, out of the drawing (the page's right to left, inherited, did). */
		const outside = await page.evaluate(() => {
			const out = [];
			const charts = document.querySelectorAll('svg.chart-svg');
			for (const svg of charts) {
				const box = svg.getBoundingClientRect();
				for (const t of svg.querySelectorAll('text')) {
					const r = t.getBoundingClientRect();
					if (t.textContent.trim() && (r.left < box.left - 1 || r.right > box.right + 1))
						out.push(`"${t.textContent.trim()}" at ${Math.round(r.left)}-${Math.round(r.right)}, chart ${Math.round(box.left)}-${Math.round(box.right)}`);
				}
			}
			return { n: charts.length, out };
		});
		assert.ok(outside.n >= 3, `the page has its charts (${outside.n})`);
		assert.deepEqual(outside.out, []);
		assertNoFailures(page);
	} finally {
		await page.context().close();
	}
});

test('addresses and names in code read left to right on an Arabic page', { timeout: TEST_TIMEOUT }, async () => {
	const page = await newPage(browser, { viewport: { width: 390, height: 800 } });
	try {
		await page.context().addCookies([{ name: 'consulta_lang', value: 'ar', url: server.url }]);
		await page.goto(at('/data'));
		assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
		const wrong = await page.evaluate(() => [...document.querySelectorAll('main code')]
			.filter((c) => getComputedStyle(c).direction !== 'ltr' || getComputedStyle(c).unicodeBidi !== 'isolate')
			.map((c) => c.textContent).slice(0, 5));
		assert.ok(await page.locator('main code').count() > 10, 'the data dictionary has its names in code');
		assert.deepEqual(wrong, [], 'every code element is left to right, isolated');
		assertNoFailures(page);
	} finally {
		await page.context().close();
	}
});

test('in the pseudo-locale (every string 40 % longer) the header and footer fit 390 and 320 px', { timeout: TEST_TIMEOUT }, async () => {
	const page = await newPage(browser, { viewport: { width: 390, height: 800 } });
	await page.context().addCookies([{ name: 'consulta_lang', value: 'en-XA', url: server.url }]);
	for (const path of ['/', '/processes/' + SLUG, '/no/such/page']) {
		await page.goto(at(path));
		assert.equal(await page.getAttribute('html', 'lang'), 'en-XA', path);
		for (const width of [390, 320]) {
			await page.setViewportSize({ width, height: 800 });
			const wide = await page.evaluate(() =>
				[...document.querySelectorAll('header.site *, footer.site *')]
					.filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
					.map((e) => `<${e.tagName.toLowerCase()}> ${e.textContent.slice(0, 40)}`));
			assert.deepEqual(wide, [], `${path} at ${width} px: the chrome sticks out`);
		}
	}
	await page.context().close();
});

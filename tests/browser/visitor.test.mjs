/*
 * visitor — the contributions list and the process page on a phone (issue 10,
 * items 3 and 6).
 *
 * With contributions in several categories and countries (one with a name
 * full of markup and a very long word), the list at /calls/1/contributions,
 * narrowed with its form (submitted with the keyboard, the way without
 * JavaScript: a plain GET), and the process page, at 390 px: axe-core finds
 * no serious or critical violation and nothing scrolls sideways. The
 * schedule's next row is marked in words.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
	CALL1_OPEN,
	HERE,
	SLUG,
	TEST_TIMEOUT,
	assertNoFailures,
	launchBrowser,
	newPage,
	screenshot,
	startServer,
} from './harness.mjs';

const AXE = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
const FAILING_IMPACTS = new Set(['serious', 'critical']);

let server;
let browser;

before(async () => {
	server = await startServer(CALL1_OPEN);
	browser = await launchBrowser();
	const people = [
		['Ada Lovelace', 'academia', 'CH', 'named'],
		['Bob <b>Bold</b> & "Co"', 'member-states', 'FR', 'named'],
		['Marie Curie', 'academia', 'FR', 'anonymous'],
		['Averyveryveryveryveryveryveryveryveryveryveryverylongsurnamewithoutanyspace', 'other', 'DE', 'named'],
	];
	for (const [name, category, country, publication] of people) {
		const r = await fetch(new URL('/api/v1/calls/1/contributions', server.url), {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({
				name, category, country, publication,
				organization: 'Analytical Engines Ltd',
				email: 'ada@example.org',
				text: 'Paragraph 3 should say who reports, and to whom.',
				comments: [{ paragraph: 'p2', type: 'technical', comment: 'A technical comment on p2.' }],
			}),
		});
		assert.equal(r.status, 201, `contribution of ${name}`);
	}
});

after(async () => {
	await browser?.close().catch(() => {});
	await server?.stop().catch(() => {});
});

const at = (p) => new URL(p, server.url).href;
const opts = { timeout: TEST_TIMEOUT };

async function checkPage(page, p, shot) {
	await page.addScriptTag({ path: AXE });
	const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	const failing = r.violations
		.filter((v) => FAILING_IMPACTS.has(v.impact))
		.map((v) => `${v.impact} ${v.id}: ${v.help} ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
	assert.deepEqual(failing, [], `axe at 390 px on ${p}:\n${failing.join('\n')}`);
	const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
	assert.ok(wide <= 0, `${p} scrolls sideways by ${wide} px at 390 px`);
	await screenshot(page, shot);
	assertNoFailures(page);
}

test('at 390 px the contributions list, narrowed by its form, is accessible and does not scroll sideways', opts, async () => {
	const page = await newPage(browser, { viewport: { width: 390, height: 844 }, bypassCSP: true });
	try {
		const response = await page.goto(at('/calls/1/contributions'));
		assert.equal(response.status(), 200);
		assert.equal(await page.locator('main article.contribution').count(), 4);
		assert.match(await page.locator('main .count').innerText(), /^Showing 1–4 of 4 contributions\.$/);
		await checkPage(page, '/calls/1/contributions', 'visitor-390-contributions');

		/* narrow by country with the keyboard, and send the form: a plain GET */
		await page.locator('#f-country').selectOption('FR');
		await page.locator('#f-sort').selectOption('newest');
		await page.locator('form.filters button[type=submit]').press('Enter');
		await page.waitForURL(/country=FR/);
		assert.match(page.url(), /category=&country=FR&type=&sort=newest$/);
		assert.equal(await page.locator('main article.contribution').count(), 2);
		assert.match(await page.locator('main .count').innerText(), /^Showing 1–2 of 2 contributions matching these choices\.$/);
		/* each heading is ours; the hostile name is text, not markup */
		const headings = await page.locator('main article.contribution h2').allInnerTexts();
		assert.ok(headings.every((h) => h.startsWith('Contribution ')), headings.join(' | '));
		assert.ok(headings.some((h) => h.includes('by Bob <b>Bold</b> & "Co"')), headings.join(' | '));
		assert.equal(await page.locator('main article.contribution h2 b').count(), 0);
		await checkPage(page, '/calls/1/contributions?country=FR', 'visitor-390-contributions-fr');
	} finally {
		await page.context().close();
	}
});

test('at 390 px a version page with its call box, and the older one pointing to it, are accessible', opts, async () => {
	const page = await newPage(browser, { viewport: { width: 390, height: 844 }, bypassCSP: true });
	try {
		for (const p of ['/versions/2', '/versions/1']) {
			const response = await page.goto(at(p));
			assert.equal(response.status(), 200);
			const box = page.locator('main section.version-call');
			assert.equal(await box.locator('a.button').count(), 1, `${p} has the button`);
			assert.match(await box.locator('.deadline').innerText(), /14 days left/);
			await checkPage(page, p, `visitor-390${p.replace(/\W+/g, '-')}`);
		}
	} finally {
		await page.context().close();
	}
});

test('at 390 px the process page is accessible, does not scroll sideways, and marks the next milestone', opts, async () => {
	const page = await newPage(browser, { viewport: { width: 390, height: 844 }, bypassCSP: true });
	try {
		const response = await page.goto(at(`/processes/${SLUG}`));
		assert.equal(response.status(), 200);
		const next = page.locator('table.schedule tr[aria-current="step"]');
		assert.equal(await next.count(), 1);
		assert.match(await next.locator('td.status').innerText(), /Next/);
		assert.equal(await page.locator('table.schedule tr.past').count(), 3);
		await checkPage(page, `/processes/${SLUG}`, 'visitor-390-process');
	} finally {
		await page.context().close();
	}
});

/*
 * receipt — the receipt page as a contributor keeps it: printed (the print
 * style sheet drops the site's header, navigation, footer and the "Mail me"
 * form, and prints black on white with the links' addresses written out),
 * and on a phone at 390 px (axe-core finds nothing serious, nothing scrolls
 * sideways, the SHA-256 of a file wraps). The contribution is sent through
 * the API, with comments, as the form would send it.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { CALL1_OPEN, HERE, TEST_TIMEOUT, assertNoFailures, launchBrowser, newPage, screenshot, startServer } from './harness.mjs';

const AXE = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
const FAILING_IMPACTS = new Set(['serious', 'critical']);

let server;
let browser;
let tracking;

before(async () => {
	server = await startServer(CALL1_OPEN);
	browser = await launchBrowser();
	const response = await fetch(new URL('/api/v1/calls/1/contributions', server.url), {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({
			name: 'Ada Lovelace',
			organization: 'Analytical Engines Ltd',
			category: 'academia',
			country: 'CH',
			email: 'ada@example.org',
			text: 'Paragraph 3 should say who reports, and to whom.',
			publication: 'named',
			comments: [
				{ paragraph: 'p3', type: 'technical', comment: 'Say who reports.', proposed_change: 'The secretariat reports to Council.' },
				{ paragraph: null, type: 'editorial', comment: 'Number the headings.' },
			],
		}),
	});
	assert.equal(response.status, 201, 'the contribution is received');
	tracking = (await response.json()).tracking;
});

after(async () => {
	await browser?.close().catch(() => {});
	await server?.stop().catch(() => {});
});

const at = (p) => new URL(p, server.url).href;
const opts = { timeout: TEST_TIMEOUT };

async function visit(page, p) {
	const response = await page.goto(at(p));
	assert.equal(response.status(), 200, `${p} answers 200`);
}

test('printed, the receipt keeps only itself, black on white, with the links written out', opts, async () => {
	const page = await newPage(browser, { timezoneId: 'Europe/Zurich', locale: 'en-GB' });
	try {
		await visit(page, `/receipts/${tracking}`);
		/* on screen the site's frame and the form are there */
		for (const sel of ['header.site', 'footer.site', 'nav.crumbs', '#mail-me'])
			assert.ok(await page.locator(sel).isVisible(), `${sel} shows on screen`);
		assert.equal(await page.locator('.print-only').isVisible(), false, 'the address of the receipt is for paper');
		await page.emulateMedia({ media: 'print' });
		for (const sel of ['header.site', 'footer.site', 'nav.crumbs', 'nav.account', '#mail-me', '.print-advice'])
			assert.equal(await page.locator(sel).isVisible(), false, `${sel} is not printed`);
		assert.ok(await page.locator('#tracking').isVisible(), 'the tracking number is printed');
		assert.match(await page.locator('.print-only').innerText(), new RegExp(`^Receipt of Consulta: https?://.*/receipts/${tracking}$`));
		assert.equal(await page.locator('#tracking').innerText(), tracking);
		assert.ok(await page.getByRole('heading', { name: 'What you sent' }).isVisible());
		assert.ok(await page.getByRole('heading', { name: 'What happens next' }).isVisible());
		const colours = await page.evaluate(() => {
			const of = (el) => getComputedStyle(el);
			const main = document.querySelector('main');
			const link = document.querySelector('main .facts a');
			return {
				body: of(document.body).backgroundColor,
				text: of(main.querySelector('p')).color,
				link: of(link).color,
				after: getComputedStyle(link, '::after').content,
			};
		});
		assert.equal(colours.body, 'rgb(255, 255, 255)', 'white paper');
		assert.equal(colours.text, 'rgb(0, 0, 0)', 'black text');
		assert.equal(colours.link, 'rgb(0, 0, 0)', 'black links');
		assert.equal(colours.after, '" (/calls/1)"', 'the link of the call is written out');
		await screenshot(page, 'receipt-print');
		await page.emulateMedia({ media: 'screen' });
		assert.ok(await page.locator('header.site').isVisible(), 'back on screen, the frame is back');
		assertNoFailures(page);
	} finally {
		await page.context().close();
	}
});

test('at 390 px the receipt is accessible and does not scroll sideways', opts, async () => {
	/* axe is injected as a script: this context bypasses the policy, which allows only our own scripts */
	const page = await newPage(browser, { viewport: { width: 390, height: 844 }, timezoneId: 'Asia/Kolkata', bypassCSP: true });
	try {
		for (const p of [`/receipts/${tracking}`, `/receipts/${tracking}?mailed=1`]) {
			await visit(page, p);
			await page.locator('main .deadline .your-time').first().waitFor();
			await page.addScriptTag({ path: AXE });
			const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
			const failing = r.violations
				.filter((v) => FAILING_IMPACTS.has(v.impact))
				.map((v) => `${v.impact} ${v.id}: ${v.help} ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
			assert.deepEqual(failing, [], `axe at 390 px on ${p}:\n${failing.join('\n')}`);
			const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
			assert.ok(wide <= 0, `${p} scrolls sideways by ${wide} px at 390 px`);
			assertNoFailures(page);
		}
		await screenshot(page, 'receipt-390');
	} finally {
		await page.context().close();
	}
});

test('the button mails the receipt and the page says so', opts, async () => {
	const page = await newPage(browser, { timezoneId: 'Europe/Zurich', locale: 'en-GB' });
	try {
		await visit(page, `/receipts/${tracking}`);
		await page.getByRole('button', { name: 'Mail me this receipt' }).click();
		await page.waitForURL(/\?mailed=1$/);
		assert.match(await page.getByRole('status').innerText(), /on its way to the e-mail address given with the contribution/);
		assertNoFailures(page);
	} finally {
		await page.context().close();
	}
});

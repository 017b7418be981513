/*
 * accessibility — axe-core on every kind of public page, as a person reaches
 * it in Chromium: the home page, a process, its report, a version of a document, a call,
 * the contribution form (empty and with mistakes), a receipt, the published
 * contributions, one contribution, search results (and a search with a mistake)
 * and a page that is not found, each at
 * 1280, 390 and 320 px wide. Any violation fails the page's test, whatever
 * its impact (issue 10: zero violations), and so does a page that scrolls
 * sideways at 320 px. Then the keyboard: every element that takes the focus
 * shows it.
 * Screenshots of the pages go to tests/browser/screenshots/page-*.png.
 *
 * The pages send a strict Content-Security-Policy (default-src 'none'); the
 * browser context here bypasses it so that axe can be injected as a script.
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
	focusedDescription,
	launchBrowser,
	newPage,
	screenshot,
	startServer,
} from './harness.mjs';

const AXE = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
/* Every impact fails: the pages have none (crawl.test.mjs checks the pages that links reach). */
const FAILING_IMPACTS = new Set(['minor', 'moderate', 'serious', 'critical']);
const WIDTHS = [1280, 390, 320];

let server;
let browser;
let page;

before(async () => {
	server = await startServer(CALL1_OPEN);
	browser = await launchBrowser();
	page = await newPage(browser, { bypassCSP: true });
});

after(async () => {
	await browser?.close().catch(() => {});
	await server?.stop().catch(() => {});
});

const at = (p) => new URL(p, server.url).href;

/* Runs axe on the page as it is; returns the violations, each as readable text, failing ones first. */
async function axe() {
	if (!(await page.evaluate(() => !!window.axe)))
		await page.addScriptTag({ path: AXE });
	const violations = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	return violations.violations.map((v) => ({
		failing: FAILING_IMPACTS.has(v.impact),
		text:
			`${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\n` +
			v.nodes
				.slice(0, 5)
				.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`)
				.join('\n'),
	}));
}

/*
 * Fails on violations of the failing impacts at each width (and on sideways
 * scrolling at 320 px); prints the others on standard error. Takes a
 * screenshot first, at 1280 px, and leaves the page at 1280 px.
 */
async function assertAccessible(what) {
	await screenshot(page, 'page-' + what.replace(/^(the|a|one) /, '').replace(/\W+/g, '-'));
	const found = [];
	for (const width of WIDTHS) {
		await page.setViewportSize({ width, height: 900 });
		for (const v of await axe())
			found.push({ ...v, text: `at ${width} px: ${v.text}` });
		if (width <= 320 && (await page.evaluate(() => document.scrollingElement.scrollWidth > innerWidth)))
			found.push({ failing: true, text: `at ${width} px: the page scrolls sideways` });
	}
	await page.setViewportSize({ width: 1280, height: 900 });
	const failing = found.filter((v) => v.failing).map((v) => v.text);
	const other = found.filter((v) => !v.failing).map((v) => v.text);
	if (other.length)
		process.stderr.write(`axe on ${what} (${page.url()}), not failing:\n${other.join('\n')}\n`);
	assert.deepEqual(failing, [], `axe found violations on ${what} (${page.url()}):\n${failing.join('\n')}`);
	assertNoFailures(page);
}

async function visit(p, status = 200) {
	const response = await page.goto(at(p));
	assert.equal(response.status(), status, `${p} answers ${status}`);
}

async function submit() {
	const [response] = await Promise.all([
		page.waitForNavigation({ waitUntil: 'load' }),
		page.getByRole('button', { name: 'Send contribution' }).click(),
	]);
	return response;
}

const opts = { timeout: TEST_TIMEOUT };

test('the home page', opts, async () => {
	await visit('/');
	await assertAccessible('the home page');
});

test('a process page', opts, async () => {
	await visit(`/processes/${SLUG}`);
	await assertAccessible('the process page');
});

test('the report to the governing body', opts, async () => {
	await visit(`/processes/${SLUG}/report`);
	assert.equal(await page.getByRole('heading', { level: 2, name: 'Contents' }).count(), 1);
	await assertAccessible('the report');
});

test('a version of a document', opts, async () => {
	await visit('/versions/2');
	await assertAccessible('the version page');
});

test('an older version, with its notice that a newer one exists', opts, async () => {
	await visit('/versions/1');
	assert.match(await page.getByRole('note').innerText(), /^A newer version exists: Revised draft, 5 May 2020\./);
	await assertAccessible('the older version page');
});

test('two versions compared, side by side and inline, with the unchanged paragraphs opened', opts, async () => {
	for (const view of ['', '?view=inline']) {
		await visit('/versions/1/compare/2' + view);
		await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
		await assertAccessible(view ? 'the versions compared inline' : 'the versions compared side by side');
	}
});

test('a call page', opts, async () => {
	await visit('/calls/1');
	await assertAccessible('the call page');
});

test('the contribution form', opts, async () => {
	await visit('/calls/1/contribute');
	await assertAccessible('the form');
});

test('the contribution form with mistakes', opts, async () => {
	await visit('/calls/1/contribute');
	await page.getByLabel('Name', { exact: true }).fill('Kofi');
	await page.getByLabel('E-mail address').fill('kofi at example.org');
	const response = await submit();
	assert.equal(response.status(), 422);
	assert.equal(await page.getByRole('alert').count(), 1, 'the error summary is there');
	await assertAccessible('the form with mistakes');
});

test('the contribution form with comment rows and their mistakes', opts, async () => {
	await visit('/calls/1/contribute?paragraph=p3');
	await Promise.all([page.waitForNavigation({ waitUntil: 'load' }),
		page.getByRole('button', { name: 'Add another comment' }).click()]);
	assert.equal(await page.locator('fieldset.comment').count(), 2);
	await assertAccessible('the form with comment rows');
	const response = await submit();
	assert.equal(response.status(), 422);
	assert.ok(await page.locator('#e-comment_1_text').isVisible(), 'the row says what to fix');
	await assertAccessible('the form with mistakes in comment rows');
});

test('a paragraph with its comments', opts, async () => {
	const r = await page.request.post(at('/api/v1/calls/1/contributions'), {
		data: { name: 'Lin Wei', category: 'academia', country: 'CN', email: 'lin@example.org', text: '',
			publication: 'named', comments: [{ paragraph: 'p2', type: 'editorial', comment: 'Spell out GCA.',
				proposed_change: 'Global Cybersecurity Agenda (GCA)' }] },
	});
	assert.equal(r.status(), 201);
	await visit('/versions/2');
	await assertAccessible('the version page with comment counts');
	await visit('/versions/2/paragraphs/p2');
	await assertAccessible('a paragraph with its comments');
});

let tracking;

test('a receipt', opts, async () => {
	await visit('/calls/1/contribute');
	await page.getByLabel('Name', { exact: true }).fill('Kofi Mensah');
	await page.getByLabel('Organization (optional)').fill('Ghana Cyber Lab');
	await page.getByLabel('Category of stakeholder').selectOption({ label: 'Sector Members' });
	await page.getByLabel('Country').selectOption({ label: 'Ghana' });
	await page.getByLabel('E-mail address').fill('kofi@example.org');
	await page.getByLabel('Your contribution', { exact: true }).fill('On ¶2: the scope should name the regional partners.');
	await page.getByLabel('Publish it with my name and organization').check();
	await submit();
	assert.match(new URL(page.url()).pathname, /^\/receipts\//);
	tracking = (await page.locator('#tracking').innerText()).trim();
	await assertAccessible('the receipt');
});

test('the published contributions of a call', opts, async () => {
	await visit('/calls/1/contributions');
	/* under our heading, the name a part of it: "Contribution ABCD-1234-X by Kofi Mensah" */
	assert.ok(await page.getByRole('heading', { name: /^Contribution [0-9A-Z-]+ by Kofi Mensah$/ }).isVisible(), 'the contribution is listed');
	await assertAccessible('the published contributions');
});

test('one published contribution', opts, async () => {
	assert.ok(tracking, 'a contribution was sent');
	await visit(`/contributions/${tracking}`);
	await assertAccessible('one contribution');
});

test('search results, with their filters, snippets and pages; and a search with a mistake', opts, async () => {
	await visit(`/search?q=paragraph+OR+secretariat&process=${SLUG}&per_page=2`);
	assert.ok((await page.locator('ol.results mark').count()) > 0, 'matches are marked');
	assert.equal(await page.getByRole('navigation', { name: 'Pages of results' }).count(), 1);
	await assertAccessible('search results');
	await visit('/search?q=%22unclosed', 400);
	await assertAccessible('a search with a mistake');
});

test('a page that is not found', opts, async () => {
	await visit('/calls/999', 404);
	await assertAccessible('the not-found page');
});

test('every link, field and button of the form shows the keyboard focus', opts, async () => {
	await visit('/calls/1/contribute');
	await submit(); /* with mistakes: the error summary's links are on the way too */
	const seen = [];
	const invisible = [];
	for (let i = 0; i < 100; i++) {
		await page.keyboard.press('Tab');
		const f = await page.evaluate(() => {
			const e = document.activeElement;
			if (!e || e === document.body)
				return null;
			const s = getComputedStyle(e);
			const r = e.getBoundingClientRect();
			return {
				key: [...document.querySelectorAll('*')].indexOf(e),
				outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
				shadow: s.boxShadow !== 'none',
				onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
			};
		});
		if (!f || seen.includes(f.key))
			break;
		seen.push(f.key);
		if (!(f.outline || f.shadow) || !f.onScreen)
			invisible.push(`${await focusedDescription(page)}${f.onScreen ? '' : ' (off the screen)'}`);
	}
	assert.ok(seen.length >= 15, `the Tab key goes through the page (${seen.length} stops)`);
	assert.deepEqual(invisible, [], 'elements whose focus cannot be seen');
});

test('the server stops cleanly, without sanitizer reports', opts, async () => {
	await browser.close();
	await server.stop();
});

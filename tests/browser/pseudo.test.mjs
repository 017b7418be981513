/*
 * pseudo — the pseudo-locale (en-XA: every string of the interface bracketed
 * and 40 % longer, test builds only) at 390 px wide: nothing on any page
 * reachable from the demo overflows sideways (issue 14 item 5, the layout
 * half of tests/integration/test_i18n.py's PseudoLocale crawl).
 *
 * A crawl at 390 px, logged in as the secretariat: the pages from the home
 * page, then from the back office and a few that no link reaches (search
 * results, the account, an error page), one page of each kind (a path with
 * its numbers as N and its query's names: one contribution's page stands for
 * all), then two forms sent with mistakes (422). A page fails
 * when the document scrolls sideways (scrollWidth > clientWidth) or when an
 * element's right edge passes the viewport; the failure names the outermost
 * such elements (tag, class, the start of their text, and where their edge
 * is). A table inside a region that scrolls by itself (.table-scroll, a
 * section holding a table: crawl.test.mjs checks that such a region is
 * named and focusable) is not an overflow: its region's own box must fit.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { CALL1_OPEN, addAccount, launchBrowser, logIn, newPage, startServer } from './harness.mjs';

const WIDTH = 390;
const HEIGHT = 800;
const SECRETARIAT = 'pseudo@gca.example';
const PASSWORD = 'a long passphrase for the pseudo-locale';
/* Files and machine answers, not pages; the switcher (it would leave the pseudo-locale); logging out. */
const SKIP = [/^\/static\//, /^\/api\//, /^\/healthz$/, /\/logout$/, /^\/language\//, /download/,
	/\.(csv|xlsx|pdf|ics|atom|xml|json|jsonl|zip|docx|odt|txt)$/i];
/* Far more than the demo has kinds of pages; hitting it fails the test (pages would go unchecked). */
const MAX_PAGES = 150;
const CRAWL_TIMEOUT = 170000;

let server;
let browser;

before(async () => {
	server = await startServer(CALL1_OPEN);
	browser = await launchBrowser();
	addAccount(server, 'secretariat', SECRETARIAT, PASSWORD);
});

after(async () => {
	await browser?.close().catch(() => {});
	await server?.stop().catch(() => {});
});

/* The page's address with its query (null if it is skipped or another site's), and its kind. */
function target(href, origin) {
	const u = new URL(href, origin);
	if (u.origin !== origin || SKIP.some((re) => re.test(u.pathname)))
		return null;
	const names = [...new Set([...u.searchParams.keys()])].sort();
	const kind = u.pathname.split('/').map((s) => (/\d/.test(s) ? 'N' : s)).join('/') + (names.length ? '?' + names.join('&') : '');
	return { url: u.pathname + u.search, kind };
}

/* What overflows the page sideways as it is now: [] if nothing. */
async function overflows(page) {
	return page.evaluate(() => {
		const out = [];
		const se = document.scrollingElement;
		const vw = document.documentElement.clientWidth;
		if (se.scrollWidth > vw)
			out.push(`the document scrolls sideways: scrollWidth ${se.scrollWidth} > ${vw}`);
		/* An element that scrolls or clips its content (a table's region) holds what passes its own edge. */
		const holds = (e) => /auto|scroll|hidden|clip/.test(getComputedStyle(e).overflowX);
		const visible = (e) => {
			const r = e.getBoundingClientRect();
			return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
		};
		const past = (e) => e.getBoundingClientRect().right > vw + 0.5;
		const held = (e) => {
			for (let p = e.parentElement; p && p !== document.body; p = p.parentElement)
				if (holds(p))
					return true;
			return false;
		};
		for (const e of document.body.querySelectorAll('*')) {
			if (!past(e) || !visible(e) || held(e))
				continue;
			/* The outermost: its parent does not pass the edge itself. */
			if (e.parentElement && e.parentElement !== document.body && past(e.parentElement))
				continue;
			const text = (e.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 50);
			out.push(`<${e.tagName.toLowerCase()}${e.className && typeof e.className === 'string' ? ' class="' + e.className + '"' : ''}> ` +
				`"${text}" right edge at ${Math.round(e.getBoundingClientRect().right)} px`);
			if (out.length > 6)
				break;
		}
		/* Words that stick out of a box that does not grow with them (a long word in a narrow cell). */
		const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		const range = document.createRange();
		for (let t = walker.nextNode(); t && out.length < 8; t = walker.nextNode()) {
			const e = t.parentElement;
			if (!t.textContent.trim() || !e || held(e) || !visible(e))
				continue;
			range.selectNodeContents(t);
			const right = Math.max(0, ...[...range.getClientRects()].map((r) => r.right));
			if (right > vw + 0.5)
				out.push(`text of <${e.tagName.toLowerCase()}${e.className && typeof e.className === 'string' ? ' class="' + e.className + '"' : ''}> ` +
					`"${t.textContent.replace(/\s+/g, ' ').trim().slice(0, 50)}" right edge at ${Math.round(right)} px`);
		}
		return out;
	});
}

/* Checks the page as it is now; adds its problems, tagged with where. */
async function check(page, where, problems) {
	assert.equal(await page.getAttribute('html', 'lang'), 'en-XA', where);
	for (const o of await overflows(page))
		problems.push(`${where} at ${WIDTH} px: ${o}`);
}

/* Visits one page of each kind reachable from start; returns how many. */
async function crawl(page, start, kinds, problems) {
	const origin = new URL(server.url).origin;
	const queue = [target(start, origin)];
	let visited = 0;
	while (queue.length) {
		const { url, kind } = queue.shift();
		if (kinds.has(kind))
			continue;
		kinds.add(kind);
		assert.ok(visited < MAX_PAGES, `the crawl hit its cap of ${MAX_PAGES} pages`);
		visited++;
		const response = await page.goto(new URL(url, origin).href);
		if (!(response?.headers()['content-type'] ?? '').startsWith('text/html'))
			continue;
		const landed = target(page.url(), origin);
		if (landed && landed.kind !== kind && kinds.has(landed.kind))
			continue;
		await check(page, url, problems);
		for (const href of await page.$$eval('a[href]', (as) => as.map((a) => a.href))) {
			const t = target(href, origin);
			if (t && !kinds.has(t.kind))
				queue.push(t);
		}
	}
	return visited;
}

/* Sends the form the page shows with its button of that selector, and checks the page that comes back. */
async function sendAndCheck(page, path, button, problems) {
	await page.goto(new URL(path, server.url).href);
	const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }),
		page.locator(button).first().evaluate((b) => {
			b.form.noValidate = true; /* the server's own answer to the mistakes, not the browser's */
			b.click();
		})]);
	assert.equal(response.status(), 422, `${path}: a form with mistakes`);
	await check(page, `${path} (422)`, problems);
}

test('in the pseudo-locale at 390 px nothing overflows sideways on any page of the site', { timeout: CRAWL_TIMEOUT }, async () => {
	const page = await newPage(browser, { viewport: { width: WIDTH, height: HEIGHT } });
	const problems = [];
	const kinds = new Set();
	/* Logged in first, in English (the form's labels), then the pseudo-locale by its cookie. */
	await page.goto(new URL('/login', server.url).href);
	await logIn(page, SECRETARIAT, PASSWORD);
	await page.context().addCookies([{ name: 'consulta_lang', value: 'en-XA', url: server.url }]);
	const started = Date.now();
	let visited = 0;
	/* From the home page; then what no link of it reaches (the search's results, the site's own pages, the back
	 * office, the account, the audit log, an error page). */
	for (const start of ['/', '/search?q=water', '/about', '/data', '/letters', '/office', '/office/audit', '/office/holding',
		'/office/pages/about', '/account', '/no/such/page'])
		visited += await crawl(page, start, kinds, problems);
	await sendAndCheck(page, '/calls/1/contribute', 'button[name="action"][value="send"]', problems);
	await sendAndCheck(page, '/office/processes/new', 'main form button[type="submit"]', problems);
	process.stderr.write(`pseudo-locale at ${WIDTH} px: ${visited} pages of ${kinds.size} kinds in ${Date.now() - started} ms\n`);
	await page.context().close();
	assert.ok(visited >= 40, `the crawl went through the site (${visited} pages)`);
	assert.deepEqual(problems, [], `overflowing at ${WIDTH} px in the pseudo-locale:\n${problems.join('\n')}`);
});

test('the server stops cleanly, without sanitizer reports', async () => {
	await browser.close();
	await server.stop();
});

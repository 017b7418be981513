/*
 * crawl — axe-core with zero violations (every impact, not only serious and
 * critical) on every page a person can reach by following links, at 1280,
 * 390 and 320 px wide, and at 320 px no page scrolls sideways.
 *
 * A crawl, not a list: it starts from the home page as the public, then from
 * /office logged in as the secretariat (pages the public crawl saw are not
 * seen again), and follows every same-origin link (GET only, so no form is
 * sent and nobody is logged out). Links to files (CSV, XLSX, PDF, iCal,
 * feeds, downloads, /static/, the JSON API) are skipped. Pages are told
 * apart by path: the query is dropped except the paging parameters, so that
 * "?sort=" or "?view=" variants of a page count once but every page of a
 * list is seen. A crawl stops at MAX_PAGES and says so, as a failure, with
 * the pages it did not reach: a cap that is hit hides pages, so it is
 * raised rather than ignored.
 *
 * At 390 and 320 px, whatever scrolls sideways inside the page (a wide
 * table) must be a focusable region named by its caption or heading.
 *
 * A link that answers 4xx or 5xx is a failure too (a broken link). Each
 * failure names the page, the width and what axe or the check found.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { CALL1_OPEN, COMMAND_TIMEOUT, HERE, binary, launchBrowser, newPage, startServer } from './harness.mjs';

const AXE = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
const WIDTHS = [1280, 390, 320];
const HEIGHT = 800;
/* Enough for the demo with room to spare; the crawl fails, naming what it left, when it is hit. */
const MAX_PAGES = 120;
/* The query parameters that choose a page of a list; every other parameter is dropped. */
const PAGING = new Set(['page', 'offset', 'before', 'after', 'per_page']);
/* Files and machine answers, not pages; and links that change something (there are none by GET, but be sure). */
const SKIP = [
	/^\/static\//,
	/^\/api\//,
	/^\/healthz$/,
	/\/logout$/,
	/^\/language\//, /* the language switcher sets a cookie: the crawl stays in one language (rtl.test.mjs: Arabic) */
	/download/,
	/\.(csv|xlsx|pdf|ics|atom|xml|json|zip|docx|odt|txt)$/i,
];
/* A crawl of a whole site is long under the sanitizers: its own bound, within run.mjs's 180 s per test. */
const CRAWL_TIMEOUT = 175000;

const SECRETARIAT = 'crawl@gca.example';
const PASSWORD = 'a long passphrase for the crawl';

let server;
let browser;
/* Pages seen by either crawl, by key (path and paging query). */
const seen = new Set();

before(async () => {
	server = await startServer(CALL1_OPEN);
	browser = await launchBrowser();
	const p = spawnSync(binary(), ['--db', 'sqlite:' + path.join(server.dir, 'consulta.db'), 'user', 'add', '--role',
		'secretariat', '--email', SECRETARIAT, '--password-stdin'], {
		input: PASSWORD + '\n',
		env: { ...process.env, CONSULTA_NOW: CALL1_OPEN },
		encoding: 'utf8',
		timeout: COMMAND_TIMEOUT,
	});
	if (p.status !== 0)
		throw new Error(`consulta user add: ${p.error?.message ?? p.stderr}`);
});

after(async () => {
	await browser?.close().catch(() => {});
	await server?.stop().catch(() => {});
});

/* The page's key: its path, with only the paging parameters of its query (sorted); null if it is skipped. */
export function pageKey(href, origin) {
	const u = new URL(href, origin);
	if (u.origin !== origin || !/^https?:$/.test(u.protocol))
		return null;
	if (SKIP.some((re) => re.test(u.pathname)))
		return null;
	const q = [...u.searchParams].filter(([k]) => PAGING.has(k)).sort(([a], [b]) => a.localeCompare(b));
	return u.pathname + (q.length ? '?' + new URLSearchParams(q).toString() : '');
}

/* Runs axe on the page as it is now; returns its violations as readable lines. */
async function axe(page) {
	const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	/* axe that checked nothing (not injected, an empty page) would pass: it must have checked some rules. */
	assert.ok(result.passes.length > 10, `axe ran its rules on ${page.url()} (${result.passes.length} passed)`);
	return result.violations.map(
		(v) =>
			`${v.impact} ${v.id}: ${v.help}\n` +
			v.nodes
				.slice(0, 4)
				.map((n) => `      ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ').slice(0, 300)}`)
				.join('\n'),
	);
}

/* What sticks out of a 320 px page: the scrolling width, and the widest elements that cause it. */
async function sideways(page) {
	return page.evaluate(() => {
		const se = document.scrollingElement;
		if (se.scrollWidth <= innerWidth)
			return null;
		const wide = [...document.body.querySelectorAll('*')]
			.filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
			.filter((e) => !e.parentElement || e.parentElement.getBoundingClientRect().right <= innerWidth + 0.5)
			.slice(0, 4)
			.map((e) => `<${e.tagName.toLowerCase()}${e.className ? ' class="' + e.className + '"' : ''}> right edge at ${Math.round(e.getBoundingClientRect().right)}px`);
		return `scrolls sideways: scrollWidth ${se.scrollWidth} > ${innerWidth}; ${wide.join('; ')}`;
	});
}

/*
 * The parts of the page that scroll sideways themselves (a wide table on a
 * phone) and are not a focusable region named by a caption or heading:
 * role="region" (or a <section>) with aria-labelledby or aria-label, and
 * tabindex="0", so that a keyboard can scroll it and a screen reader names it.
 */
async function unnamedScrollers(page) {
	return page.evaluate(() =>
		[...document.body.querySelectorAll('*')]
			.filter((e) => /auto|scroll/.test(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
			.filter((e) => {
				const region = e.getAttribute('role') === 'region' || e.tagName === 'SECTION';
				const named = (e.getAttribute('aria-labelledby') || '').split(/\s+/).some((id) => document.getElementById(id)?.textContent.trim()) ||
					!!e.getAttribute('aria-label');
				return !(region && named && e.tabIndex === 0);
			})
			.map((e) => `<${e.tagName.toLowerCase()}${e.className ? ' class="' + e.className + '"' : ''}> scrolls sideways but is not a focusable named region`),
	);
}

/*
 * Crawls from start with page (already logged in or not): visits each page
 * once, checks it at every width, and follows its links. Returns
 * { visited, problems, left } where left lists pages not visited when the cap
 * was hit.
 */
async function crawl(page, start) {
	const origin = new URL(server.url).origin;
	const queue = [pageKey(start, origin)];
	const from = new Map([[queue[0], '(start)']]);
	const problems = [];
	let visited = 0;
	seen.add(queue[0]);
	while (queue.length) {
		if (visited >= MAX_PAGES)
			return { visited, problems, left: queue };
		const key = queue.shift();
		visited++;
		await page.setViewportSize({ width: WIDTHS[0], height: HEIGHT });
		const response = await page.goto(new URL(key, origin).href);
		const status = response?.status() ?? 0;
		const type = response?.headers()['content-type'] ?? '';
		if (status >= 400) {
			problems.push(`${key} (linked from ${from.get(key)}) answers ${status}`);
			continue;
		}
		if (!type.startsWith('text/html'))
			continue;
		/* Where a redirect landed (the public sent to log in, say) counts as seen too. */
		const landed = pageKey(page.url(), origin);
		if (landed && landed !== key) {
			if (seen.has(landed))
				continue;
			seen.add(landed);
		}
		for (const href of await page.$$eval('a[href]', (as) => as.map((a) => a.href))) {
			const k = pageKey(href, origin);
			if (k && !seen.has(k)) {
				seen.add(k);
				from.set(k, key);
				queue.push(k);
			}
		}
		await page.addScriptTag({ path: AXE });
		for (const width of WIDTHS) {
			await page.setViewportSize({ width, height: HEIGHT });
			for (const v of await axe(page))
				problems.push(`${key} at ${width} px: ${v}`);
			if (width <= 390)
				for (const u of await unnamedScrollers(page))
					problems.push(`${key} at ${width} px: ${u}`);
			if (width <= 320) {
				const s = await sideways(page);
				if (s)
					problems.push(`${key} at ${width} px: ${s}`);
			}
		}
	}
	return { visited, problems, left: [] };
}

function report(what, { visited, problems, left }) {
	process.stderr.write(`crawl ${what}: ${visited} pages checked at ${WIDTHS.join(', ')} px\n`);
	const all = [...problems];
	if (left.length)
		all.push(`the crawl stopped at its cap of ${MAX_PAGES} pages; not checked: ${left.join(', ')}`);
	assert.deepEqual(all, [], `the crawl ${what} found:\n${all.join('\n')}`);
}

test('every page reachable from the home page: no axe violation at any width, none scrolls sideways at 320 px', { timeout: CRAWL_TIMEOUT }, async () => {
	const page = await newPage(browser, { bypassCSP: true });
	const result = await crawl(page, '/');
	await page.context().close();
	assert.ok(result.visited >= 10, `the crawl went through the site (${result.visited} pages)`);
	report('from the home page', result);
});

test('every back-office page reachable from /office: no axe violation at any width, none scrolls sideways at 320 px', { timeout: CRAWL_TIMEOUT }, async () => {
	const page = await newPage(browser, { bypassCSP: true });
	await page.goto(new URL('/login', server.url).href);
	await page.getByLabel('E-mail address').fill(SECRETARIAT);
	await page.getByLabel('Password').fill(PASSWORD);
	await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Log in' }).click()]);
	const result = await crawl(page, '/office');
	await page.context().close();
	assert.ok(result.visited >= 5, `the crawl went through the back office (${result.visited} pages)`);
	report('from /office', result);
});

test('the server stops cleanly, without sanitizer reports', async () => {
	await browser.close();
	await server.stop();
});

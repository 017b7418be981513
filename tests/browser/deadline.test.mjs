/*
 * deadline — the reader's own time next to a deadline, and the pages that
 * say who runs a consultation and how data is handled, on a phone.
 *
 * The pages give call 1's deadline in the process's zone ("15 February 2021,
 * 23:59 Zurich time (UTC+1)") inside <time datetime="2021-02-15T22:59:59Z">;
 * static/localtime.js adds " (your time: ...)" in the zone the browser tells
 * (Chromium's timezoneId). A reader in Zurich is told nothing twice; without
 * JavaScript the page says the deadline all the same. Then axe-core at 390 px
 * on the home, process, call, form, about and privacy pages, and no page
 * scrolls sideways. The pages keep their Content-Security-Policy here: the
 * script must run under it (axe is injected by evaluating its source).
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
const ZURICH = '15 February 2021, 23:59 Zurich time (UTC+1)';

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
const opts = { timeout: TEST_TIMEOUT };

async function visit(page, p) {
	const response = await page.goto(at(p));
	assert.equal(response.status(), 200, `${p} answers 200`);
}

test('a reader in New York sees the deadline in their own time as well', opts, async () => {
	const page = await newPage(browser, { timezoneId: 'America/New_York', locale: 'en-GB' });
	try {
		for (const p of ['/', `/processes/${SLUG}`, '/calls/1', '/calls/1/contribute']) {
			await visit(page, p);
			const deadline = page.locator('main .deadline').first();
			await deadline.locator('.your-time').waitFor();
			const text = await deadline.innerText();
			assert.match(text, new RegExp(`^Open until ${ZURICH.replace(/[()+]/g, '\\$&')} \\(your time: 15 February 2021, 17:59 New York time, UTC-5\\) — 14 days left$`), `${p}: ${text}`);
			assertNoFailures(page);
		}
		await screenshot(page, 'deadline-call-new-york');
	} finally {
		await page.context().close();
	}
});

test('a reader in New York reading in French or Arabic is told their time in that language', opts, async () => {
	const expected = {
		fr: { label: /^ \(votre heure : .*\)$/, month: 'février 2021' },
		ar: { label: /^ \(بتوقيتك: .*\)$/, month: 'فبراير' },
	};
	for (const [lang, want] of Object.entries(expected)) {
		const page = await newPage(browser, { timezoneId: 'America/New_York', locale: 'en-GB' });
		try {
			await page.context().addCookies([{ name: 'consulta_lang', value: lang, url: server.url }]);
			await visit(page, '/calls/1');
			const yours = page.locator('main .deadline .your-time').first();
			await yours.waitFor();
			const text = await yours.textContent();
			assert.match(text, want.label, `${lang}: ${text}`);
			assert.ok(text.includes(want.month), `${lang}: the month in ${lang}: ${text}`);
			assert.ok(!/your time|New York time|February/.test(text), `${lang}: no English words: ${text}`);
			assertNoFailures(page);
		} finally {
			await page.context().close();
		}
	}
});

test('on an Arabic page the reader\'s time is written in the page\'s own digits', opts, async () => {
	/* The server's ICU writes the deadline; the browser's Intl writes the reader's time: their defaults for
	 * "ar" may differ (Arabic-Indic or Latin digits), and the note must follow the page. */
	const page = await newPage(browser, { timezoneId: 'America/New_York', locale: 'en-GB' });
	try {
		await page.context().addCookies([{ name: 'consulta_lang', value: 'ar', url: server.url }]);
		await visit(page, '/calls/1');
		const yours = page.locator('main .deadline .your-time').first();
		await yours.waitFor();
		const note = await yours.textContent();
		const deadline = await page.locator('main .deadline time[data-local]').first().textContent();
		const indic = /[\u0660-\u0669]/, latin = /[0-9]/;
		assert.ok(indic.test(deadline) || latin.test(deadline), `the deadline has digits: ${deadline}`);
		const [same, other] = indic.test(deadline) ? [indic, latin] : [latin, indic];
		assert.ok(same.test(note), `the note's digits are the page's: ${note} (deadline: ${deadline})`);
		assert.ok(!other.test(note), `no digit of the other kind in the note: ${note} (deadline: ${deadline})`);
		assertNoFailures(page);
	} finally {
		await page.context().close();
	}
});

test('a reader in Zurich is not told the same time twice', opts, async () => {
	const page = await newPage(browser, { timezoneId: 'Europe/Zurich', locale: 'en-GB' });
	try {
		await visit(page, '/calls/1');
		/* the script has run (deferred scripts run before load) and added nothing */
		assert.equal(await page.locator('main .your-time').count(), 0);
		assert.equal(await page.locator('main .deadline').innerText(), `Open until ${ZURICH} — 14 days left`);
		assertNoFailures(page);
	} finally {
		await page.context().close();
	}
});

test('a reader on UTC is told the time in UTC, plainly', opts, async () => {
	const page = await newPage(browser, { timezoneId: 'UTC', locale: 'en-GB' });
	try {
		await visit(page, '/calls/1');
		assert.equal(await page.locator('main .deadline').innerText(),
			`Open until ${ZURICH} (your time: 15 February 2021, 22:59 UTC) — 14 days left`);
		assertNoFailures(page);
	} finally {
		await page.context().close();
	}
});

test('without JavaScript the page says the deadline all the same', opts, async () => {
	const page = await newPage(browser, { timezoneId: 'Asia/Tokyo', javaScriptEnabled: false });
	try {
		await visit(page, '/calls/1');
		assert.equal(await page.locator('main .your-time').count(), 0);
		assert.equal(await page.locator('main .deadline').innerText(), `Open until ${ZURICH} — 14 days left`);
	} finally {
		await page.context().close();
	}
});

test('at 390 px the public pages and the site pages are accessible and do not scroll sideways', opts, async () => {
	/* axe is injected as a script: this context bypasses the policy, which allows only our own scripts */
	const page = await newPage(browser, { viewport: { width: 390, height: 844 }, timezoneId: 'Asia/Kolkata', bypassCSP: true });
	try {
		for (const p of ['/', `/processes/${SLUG}`, '/calls/1', '/calls/1/contribute', '/about', '/privacy']) {
			await visit(page, p);
			if (await page.locator('main .deadline').count())
				await page.locator('main .deadline .your-time').first().waitFor();
			await page.addScriptTag({ path: AXE });
			const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
			const failing = r.violations
				.filter((v) => FAILING_IMPACTS.has(v.impact))
				.map((v) => `${v.impact} ${v.id}: ${v.help} ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
			assert.deepEqual(failing, [], `axe at 390 px on ${p}:\n${failing.join('\n')}`);
			const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
			assert.ok(wide <= 0, `${p} scrolls sideways by ${wide} px at 390 px`);
			await screenshot(page, `deadline-390${p.replace(/\W+/g, '-')}`);
			assertNoFailures(page);
		}
	} finally {
		await page.context().close();
	}
});

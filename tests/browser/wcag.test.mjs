/*
 * wcag — the WCAG 2.2 AA points of issue 10 (item 7) that axe does not
 * check, measured in Chromium:
 *   - the focus outline has at least 3:1 contrast against the background it
 *     is drawn on (1.4.11), computed here from the computed styles of every
 *     element the Tab key reaches on the main public pages;
 *   - a link of the error summary shows the field's label and its message,
 *     not just the field (at 1280, 390 and 320 px);
 *   - a wide table on a phone scrolls inside a focusable region named by its
 *     caption, by keyboard too, and the page itself does not;
 *   - the password field looks like the other fields;
 *   - countries are listed by name in the reader's order (ICU's collation,
 *     which Chromium's Intl.Collator also uses), not by code.
 * The crawl (crawl.test.mjs) checks axe and the 320 px width on every page.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { CALL1_OPEN, ROOT, SLUG, TEST_TIMEOUT, launchBrowser, newPage, startServer } from './harness.mjs';

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

/* WCAG's contrast ratio of two colours given as [r, g, b] in 0..255. */
function contrast(a, b) {
	const lum = ([r, g, b]) => {
		const lin = (c) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
		return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
	};
	const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
	return (x + 0.05) / (y + 0.05);
}

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));

test('the focus colour of style.css has at least 3:1 against the backgrounds the stylesheet uses', opts, () => {
	const css = fs.readFileSync(path.join(ROOT, 'src', 'static', 'style.css'), 'utf8');
	const variable = (name) => hex(new RegExp(`--${name}:\\s*(#[0-9a-f]{6})`, 'i').exec(css)[1]);
	const focus = variable('focus');
	for (const [what, bg] of [['white', variable('bg')], ['--soft', variable('soft')], ['ins', hex('#e2f3e6')], ['del', hex('#fbe3e3')]]) {
		const ratio = contrast(focus, bg);
		assert.ok(ratio >= 3, `the focus outline has ${ratio.toFixed(2)}:1 on ${what}`);
	}
	/* The amber it replaced did not. */
	assert.ok(contrast(hex('#f2a900'), hex('#ffffff')) < 3);
});

/*
 * Tabs through the page and returns, for each element that takes the focus,
 * its outline and the background behind the outline (the first ancestor with
 * an opaque background; the outline is drawn outside the element).
 */
async function focusStops(page) {
	const stops = [];
	const keys = new Set();
	for (let i = 0; i < 120; i++) {
		await page.keyboard.press('Tab');
		const s = await page.evaluate(() => {
			const e = document.activeElement;
			if (!e || e === document.body)
				return null;
			const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
			const st = getComputedStyle(e);
			let bg = [255, 255, 255];
			for (let p = e.parentElement; p; p = p.parentElement) {
				const c = rgb(getComputedStyle(p).backgroundColor);
				if (c.length === 3 || (c.length === 4 && c[3] === 1)) {
					bg = c.slice(0, 3);
					break;
				}
			}
			return {
				key: [...document.querySelectorAll('*')].indexOf(e),
				what: `<${e.tagName.toLowerCase()}${e.id ? ' id=' + e.id : ''}> ${JSON.stringify((e.textContent || e.name || '').trim().slice(0, 40))}`,
				style: st.outlineStyle,
				width: parseFloat(st.outlineWidth),
				color: rgb(st.outlineColor).slice(0, 3),
				bg,
			};
		});
		if (!s || keys.has(s.key))
			break;
		keys.add(s.key);
		stops.push(s);
	}
	return stops;
}

test('every focus outline on the public pages has at least 3:1 contrast with what is behind it', opts, async () => {
	const page = await newPage(browser);
	const bad = [];
	let n = 0;
	for (const p of ['/', `/processes/${SLUG}`, '/calls/1', '/versions/2', '/versions/1/compare/2', '/calls/1/matrix',
		'/login', '/calls/1/contribute']) {
		await page.goto(at(p));
		if (p.endsWith('/contribute')) /* with mistakes: the error summary's links too */
			await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send contribution' }).click()]);
		for (const s of await focusStops(page)) {
			n++;
			const ratio = contrast(s.color, s.bg);
			if (s.style === 'none' || s.width < 2 || ratio < 3)
				bad.push(`${p}: ${s.what}: outline ${s.style} ${s.width}px rgb(${s.color}) on rgb(${s.bg}): ${ratio.toFixed(2)}:1`);
		}
	}
	await page.context().close();
	assert.ok(n >= 60, `the Tab key went through the pages (${n} stops)`);
	assert.deepEqual(bad, [], 'focus outlines that are missing or have less than 3:1');
});

test('each link of the error summary shows its field with the label and the message, at 1280, 390 and 320 px', opts, async () => {
	for (const [width, height] of [[1280, 800], [390, 700], [320, 568]]) {
		const page = await newPage(browser, { viewport: { width, height } });
		await page.goto(at('/calls/1/contribute'));
		const response = (await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send contribution' }).click()]))[0];
		assert.equal(response.status(), 422);
		const links = page.getByRole('alert').getByRole('link');
		const count = await links.count();
		assert.ok(count >= 5, `the empty form has several mistakes (${count})`);
		const hidden = [];
		for (let i = 0; i < count; i++) {
			await page.evaluate(() => window.scrollTo(0, 0));
			const link = links.nth(i);
			const target = (await link.getAttribute('href')).slice(1);
			await link.click();
			const seen = await page.evaluate((id) => {
				const f = document.getElementById(id);
				const box = f.closest('.field, fieldset');
				/* A radio button is labelled, for the mistake, by its group's legend. */
				const label = f.type === 'radio' ? box.querySelector('legend') : f.labels[0];
				const message = box.querySelector('.error');
				const inView = (e) => {
					const r = e.getBoundingClientRect();
					return r.top >= 0 && r.bottom <= innerHeight;
				};
				return {
					focused: document.activeElement === f,
					label: inView(label),
					message: !!message && inView(message),
					field: f.getBoundingClientRect().top < innerHeight && f.getBoundingClientRect().bottom > 0,
				};
			}, target);
			for (const k of ['focused', 'label', 'message', 'field'])
				if (!seen[k])
					hidden.push(`${width} px, #${target}: ${k === 'focused' ? 'the field does not have the focus' : 'its ' + k + ' is not in view'}`);
		}
		await page.context().close();
		assert.deepEqual(hidden, [], 'after following a link of the error summary');
	}
});

test('on a phone the resolution matrix scrolls inside a focusable region named by its caption, not the page', opts, async () => {
	for (const width of [390, 320]) {
		const page = await newPage(browser, { viewport: { width, height: 800 } });
		await page.goto(at('/calls/1/matrix'));
		const region = page.getByRole('region', { name: /^Comments and answers/ });
		assert.equal(await region.count(), 1, 'the table is in a region named by its caption');
		const r = await region.evaluate((e) => ({
			tabindex: e.getAttribute('tabindex'),
			scrolls: e.scrollWidth > e.clientWidth,
			caption: e.querySelector('table > caption')?.id === e.getAttribute('aria-labelledby'),
			page: document.scrollingElement.scrollWidth <= innerWidth,
		}));
		assert.equal(r.tabindex, '0', 'the region takes the focus');
		assert.ok(r.caption, "the region is named by its table's caption");
		assert.ok(r.scrolls, 'the table is wider than the screen and scrolls inside its region');
		assert.ok(r.page, 'the page does not scroll sideways');
		/* By keyboard: the focused region scrolls with the arrow keys. */
		await region.focus();
		for (let i = 0; i < 5; i++)
			await page.keyboard.press('ArrowRight');
		/* the browser may scroll smoothly: the position is read once it has had up to 2 s to move */
		const moved = await region
			.evaluate((e) => new Promise((done) => {
				const start = Date.now();
				(function look() {
					if (e.scrollLeft > 0 || Date.now() - start > 2000)
						done(e.scrollLeft);
					else
						requestAnimationFrame(look);
				})();
			}));
		assert.ok(moved > 0, 'the arrow keys scroll the table');
		await page.context().close();
	}
});

test('the password field looks like the e-mail field above it', opts, async () => {
	const page = await newPage(browser);
	await page.goto(at('/login'));
	const look = (sel) =>
		page.locator(sel).evaluate((e) => {
			const s = getComputedStyle(e);
			return {
				border: `${s.borderTopWidth} ${s.borderTopStyle} ${s.borderTopColor}`,
				radius: s.borderTopLeftRadius,
				padding: s.paddingTop + ' ' + s.paddingLeft,
				font: s.fontSize + ' ' + s.fontFamily,
				width: e.getBoundingClientRect().width,
			};
		});
	assert.deepEqual(await look('input[type=password]'), await look('input[type=email]'));
	await page.context().close();
});

test('the form lists countries by name, in the order of ICU collation for English, with their codes as values', opts, async () => {
	const page = await newPage(browser);
	for (const p of ['/calls/1/contribute', '/account/register']) {
		await page.goto(at(p));
		const options = await page.locator('#f-country option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
		assert.deepEqual(options[0], ['', 'Choose\u2026']);
		const countries = options.slice(1);
		assert.ok(countries.length > 240, `${p}: every country (${countries.length})`);
		assert.ok(countries.every(([v]) => /^[A-Z]{2}$/.test(v)), `${p}: values are ISO codes`);
		const names = countries.map(([, n]) => n);
		const collator = new Intl.Collator('en');
		assert.deepEqual(names, [...names].sort(collator.compare), `${p}: sorted by name as English sorts`);
		assert.deepEqual(names.slice(0, 3), ['Afghanistan', '\u00c5land Islands', 'Albania']);
		assert.equal(countries.find(([v]) => v === 'CH')[1], 'Switzerland');
	}
	await page.context().close();
});

test('the server stops cleanly, without sanitizer reports', opts, async () => {
	await browser.close();
	await server.stop();
});

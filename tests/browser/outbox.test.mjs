/*
 * outbox — the office's outbox as the secretariat uses it, on a desk and on a
 * phone: a contribution's receipt is listed, its page shows the mail as
 * composed; both pages have no axe violation (any impact) at 1280, 390 and
 * 320 px and never scroll sideways (the list's table scrolls inside its own
 * region; a mail's long header and link lines wrap). The demo the browser
 * tests load has no mail, so the whole-site crawl sees only the empty list.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { CALL1_OPEN, HERE, TEST_TIMEOUT, addAccount, assertNoFailures, launchBrowser, logIn, newPage, startServer }
	from './harness.mjs';

const AXE = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
const OFFICE = 'outbox-office@example.org';
const PASSWORD = 'a long passphrase for the browser tests';

let server;
let browser;

before(async () => {
	server = await startServer(CALL1_OPEN);
	browser = await launchBrowser();
	addAccount(server, 'secretariat', OFFICE, PASSWORD);
});

after(async () => {
	await browser?.close().catch(() => {});
	await server?.stop().catch(() => {});
});

const at = (p) => new URL(p, server.url).href;

test('the outbox and a mail are accessible and do not scroll sideways at any width', { timeout: TEST_TIMEOUT }, async () => {
	const sent = await fetch(at('/api/v1/calls/1/contributions'), {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ name: 'Ada Lovelace', organization: 'Analytical Engines Ltd', category: 'academia',
			country: 'CH', email: 'a-rather-long-address.for-a-phone@subdomain.example.org',
			text: 'Paragraph 3 should say who reports.', publication: 'named' }),
	});
	assert.equal(sent.status, 201);
	const page = await newPage(browser, { bypassCSP: true });
	try {
		await page.goto(at('/login?next=/office/outbox'));
		await logIn(page, OFFICE, PASSWORD);
		const link = page.locator('main table a').first();
		const mail = new URL(await link.getAttribute('href'), server.url).pathname;
		assert.match(mail, /^\/office\/outbox\/\d+$/);
		for (const p of ['/office/outbox', mail]) {
			for (const width of [1280, 390, 320]) {
				await page.setViewportSize({ width, height: 800 });
				const response = await page.goto(at(p));
				assert.equal(response.status(), 200, p);
				await page.addScriptTag({ path: AXE });
				const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
				const failing = r.violations.map((v) => `${v.impact} ${v.id}: ${v.help} ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
				assert.deepEqual(failing, [], `axe at ${width} px on ${p}:\n${failing.join('\n')}`);
				const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
				assert.ok(wide <= 0, `${p} scrolls sideways by ${wide} px at ${width} px`);
			}
		}
		assertNoFailures(page);
	} finally {
		await page.context().close();
	}
});

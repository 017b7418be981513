/*
 * meeting — registering for a meeting in a real browser (issue 13, item 2).
 *
 * A stakeholder (made on the command line) opens the second consultation's
 * page from the process page, sees no link to join, logs in from the page's
 * own link and comes back to it, registers with the keyboard, and is then
 * shown the link to join and told that they are registered; a second,
 * anonymous browser still sees no link. The meeting's page passes axe-core
 * with no violation of any impact, before and after, at 390 px too.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
	CALL1_OPEN,
	HERE,
	SLUG,
	TEST_TIMEOUT,
	addAccount,
	assertNoFailures,
	launchBrowser,
	logIn,
	navigate,
	newPage,
	screenshot,
	startServer,
} from './harness.mjs';

const AXE = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
const FAILING_IMPACTS = new Set(['minor', 'moderate', 'serious', 'critical']);
const EMAIL = 'participant@example.org';
const PASSWORD = 'a long passphrase for the browser tests';
const JOIN = 'https://meet.gca-demo.example/second-consultation';

let server;
let browser;

before(async () => {
	server = await startServer(CALL1_OPEN);
	browser = await launchBrowser();
	addAccount(server, 'stakeholder', EMAIL, PASSWORD);
});

after(async () => {
	await browser?.close().catch(() => {});
	await server?.stop().catch(() => {});
});

const at = (p) => new URL(p, server.url).href;

async function axe(page, what) {
	await page.addScriptTag({ path: AXE });
	const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	const failing = r.violations
		.filter((v) => FAILING_IMPACTS.has(v.impact))
		.map((v) => `${v.impact} ${v.id}: ${v.help} ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
	assert.deepEqual(failing, [], `axe on ${what}:\n${failing.join('\n')}`);
}

test('a stakeholder logs in from the meeting page, registers with the keyboard and is shown how to join', { timeout: TEST_TIMEOUT }, async () => {
	const page = await newPage(browser, { bypassCSP: true }); /* for axe's script only */
	await page.goto(at(`/processes/${SLUG}`));
	await navigate(page, () => page.getByRole('link', { name: 'Second online open consultation', exact: true }).click());
	assert.equal(new URL(page.url()).pathname, '/meetings/2');
	assert.equal(await page.locator(`a[href="${JOIN}"]`).count(), 0, 'the public sees no link to join');
	await axe(page, 'the meeting page, anonymous');
	await screenshot(page, 'meeting-01-public');

	await navigate(page, () => page.getByRole('main').getByRole('link', { name: 'log in', exact: true }).click());
	await logIn(page, EMAIL, PASSWORD);
	assert.equal(new URL(page.url()).pathname, '/meetings/2', 'back to the meeting after logging in');
	assert.equal(await page.locator(`a[href="${JOIN}"]`).count(), 0, 'logged in is not registered');

	const register = page.getByRole('button', { name: 'Register' });
	await register.focus();
	await navigate(page, () => page.keyboard.press('Enter'));
	assert.equal(new URL(page.url()).pathname, '/meetings/2');
	assert.ok(await page.getByText('You are registered.').isVisible());
	assert.ok(await page.getByRole('link', { name: 'Join the Second online open consultation' }).isVisible());
	assert.ok(await page.getByRole('button', { name: 'Cancel my registration' }).isVisible());
	await axe(page, 'the meeting page, registered');
	await page.setViewportSize({ width: 390, height: 800 });
	await axe(page, 'the meeting page at 390 px');
	const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
	assert.ok(wide <= 0, `the meeting page scrolls sideways by ${wide} px at 390 px`);
	await screenshot(page, 'meeting-02-registered');
	assertNoFailures(page);

	const other = await newPage(browser);
	await other.goto(at('/meetings/2'));
	assert.equal(await other.locator(`a[href="${JOIN}"]`).count(), 0, 'another browser still sees no link');
	assertNoFailures(other);
});

#!/usr/bin/env node
/*
 * screenshots — the pictures of docs/screenshots/ that README shows: the
 * home, process, call, form and receipt pages at 1280 and 390 px wide, on
 * the demo at the instant the first call is open (as the browser tests see
 * it), so that they come out the same each time.
 *
 *     node tests/browser/screenshots.mjs [--label after] [--out docs/screenshots]
 *
 * Writes OUT/PAGE-WIDTH-LABEL.png (home-390-after.png...). The binary is
 * $CONSULTA_BIN (default build-test/consulta), so that the "before" pictures
 * come from an older build:
 *
 *     CONSULTA_BIN=/tmp/old/build/consulta node tests/browser/screenshots.mjs --label before
 *
 * A page is taken whole, down to MAX_HEIGHT css pixels (the rest is cut),
 * at one device pixel per css pixel, which keeps each file under 400 KB.
 */

import fs from 'node:fs';
import path from 'node:path';

import { CALL1_OPEN, ROOT, SLUG, launchBrowser, newPage, startServer } from './harness.mjs';

const WIDTHS = [1280, 390];
const MAX_HEIGHT = 2400;

const args = process.argv.slice(2);
const opt = (name, fallback) => {
	const i = args.indexOf(name);
	return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const label = opt('--label', 'after');
const out = path.resolve(ROOT, opt('--out', path.join('docs', 'screenshots')));
fs.mkdirSync(out, { recursive: true });

const server = await startServer(CALL1_OPEN);
const browser = await launchBrowser();
const at = (p) => new URL(p, server.url).href;

/* Fills and sends the form as a person would; returns the receipt's path. */
async function contribute(page) {
	await page.goto(at('/calls/1/contribute'));
	await page.getByLabel('Name', { exact: true }).fill('Kofi Mensah');
	await page.getByLabel('Organization (optional)').fill('Ghana Cyber Lab');
	await page.getByLabel('Category of stakeholder').selectOption({ label: 'Sector Members' });
	await page.getByLabel('Country').selectOption({ label: 'Ghana' });
	await page.getByLabel('E-mail address').fill('kofi@example.org');
	await page.getByLabel('Your contribution', { exact: true }).fill('On \u00b62: the scope should name the regional partners.');
	await page.getByLabel('Publish it with my name and organization').check();
	await Promise.all([page.waitForNavigation({ waitUntil: 'load' }),
		page.getByRole('button', { name: 'Send contribution' }).first().click()]);
	return new URL(page.url()).pathname;
}

async function shoot(page, name, width) {
	const file = path.join(out, `${name}-${width}-${label}.png`);
	const height = await page.evaluate(() => document.scrollingElement.scrollHeight);
	await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width, height: Math.min(height, MAX_HEIGHT) } });
	process.stdout.write(`${path.relative(ROOT, file)} (${fs.statSync(file).size} bytes)\n`);
}

try {
	const page = await newPage(browser);
	const receipt = await contribute(page);
	for (const width of WIDTHS) {
		await page.setViewportSize({ width, height: width > 600 ? 900 : 844 });
		for (const [name, p] of [['home', '/'], ['process', `/processes/${SLUG}`], ['call', '/calls/1'],
			['form', '/calls/1/contribute'], ['receipt', receipt]]) {
			await page.goto(at(p));
			await shoot(page, name, width);
		}
	}
} finally {
	await browser.close();
	await server.stop();
}

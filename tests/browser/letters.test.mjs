/*
 * letters — composing and issuing a circular letter in a real browser. A
 * secretariat logs in, writes a draft on the process's office page (first
 * with an unknown category: the page says what to fix and keeps what was
 * typed), sees its preview and its recipients, issues it after the
 * confirmation page, and lands on the letter's public page with its number;
 * an anonymous browser finds it in the archive. axe-core on the draft's
 * page, the confirmation, the letter and the archive: no violation.
 *
 * Screenshots go to tests/browser/screenshots/letters-*.png.
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
const SECRETARIAT = 'sec@gca.example';
const PASSWORD = 'a long passphrase for the browser tests';
const SUBJECT = 'Third online open consultation on the guidelines';

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

const at = (p) => new URL(p, server.url).href;

async function axe(page, what) {
	await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
	await page.addScriptTag({ path: AXE });
	const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	const failing = result.violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n` +
		v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}`).join('\n'));
	assert.deepEqual(failing, [], `axe found violations on ${what} (${page.url()}):\n${failing.join('\n')}`);
}

test('a secretariat composes, previews and issues a letter, which the public finds in the archive', { timeout: TEST_TIMEOUT }, async (t) => {
	const page = await newPage(browser, { bypassCSP: true }); /* axe is injected */
	let failed = null;
	const step = (name, fn) =>
		t.test(name, { skip: failed ? `after "${failed}" failed` : false }, async () => {
			try {
				await fn();
			} catch (e) {
				failed = name;
				throw e;
			}
		});
	let letterUrl;

	await step('the secretariat logs in and writes a draft; a mistake is told by its field', async () => {
		await page.goto(at('/office'));
		await logIn(page, SECRETARIAT, PASSWORD);
		await page.goto(at(`/office/processes/${SLUG}`));
		await page.getByText('Write a new letter').click();
		const form = page.locator('form[action$="/letters"]');
		await form.getByLabel('Subject').fill(SUBJECT);
		await form.getByLabel('Addressed for action').fill('member-states, academia');
		await form.getByLabel('Addressed for information').fill('nobody');
		await form.getByLabel('References').fill('CL-20/55');
		await form.getByLabel('Text').fill('Dear colleagues,\n\nPlease send your **inputs**.');
		await form.getByLabel('Contact person').fill('The GCA secretariat');
		await form.getByLabel('Yes: the schedule as it stands when the letter is issued').check();
		const response = await navigate(page, () => form.getByRole('button', { name: 'Save the draft' }).click());
		assert.equal(response.status(), 422);
		assert.match(await page.getByRole('alert').innerText(), /There is no category nobody in this process\./);
		const again = page.locator('form[action$="/letters"]');
		assert.equal(await again.getByLabel('Subject').inputValue(), SUBJECT, 'what was typed stays');
		await again.getByLabel('Addressed for information').fill('observers');
		const saved = await navigate(page, () => again.getByRole('button', { name: 'Save the draft' }).click());
		assert.equal(saved.status(), 200);
		assert.match(new URL(page.url()).pathname, /^\/office\/letters\/\d+$/);
		await screenshot(page, 'letters-01-draft');
	});

	await step('the draft page shows the preview and who will get it', async () => {
		const preview = page.getByRole('region', { name: 'Preview' });
		const text = await preview.innerText();
		assert.match(text, /\(number on issue\)/);
		assert.match(text, /Member States; Academia/);
		assert.match(text, /Organizations with observer rights/);
		assert.match(text, /Annex: schedule as of 1 February 2021/);
		assert.equal(await preview.locator('strong', { hasText: 'inputs' }).count(), 1, 'the Markdown rendered');
		assert.match(await page.locator('.recipients').innerText(), /It will be mailed, with its PDF, to \d+ addresses/);
		await axe(page, 'the draft');
	});

	await step('issuing asks first, then numbers the letter and shows its page', async () => {
		const confirm = await navigate(page, () => page.getByRole('button', { name: 'Issue the letter' }).click());
		assert.equal(confirm.status(), 200);
		assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), 'Issue this letter?');
		await axe(page, 'the confirmation');
		const issued = await navigate(page, () => page.getByRole('button', { name: 'Issue the letter' }).click());
		assert.equal(issued.status(), 200);
		assert.match(new URL(page.url()).pathname, /^\/letters\/\d+$/);
		letterUrl = page.url();
		const facts = await page.locator('dl.letter-facts').innerText();
		assert.match(facts, /CL-21\/1/);
		assert.match(facts, /1 February 2021/);
		assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), SUBJECT);
		assert.match(await page.locator('.pdf').innerText(), /SHA-256 [0-9a-f]{64}/, 'the PDF was made and its hash shown');
		await screenshot(page, 'letters-02-issued');
		await axe(page, 'the letter');
		assertNoFailures(page);
	});

	await step('an anonymous browser finds the letter in the archive', async () => {
		const other = await newPage(browser, { bypassCSP: true });
		try {
			await other.goto(at('/letters'));
			const link = other.getByRole('link', { name: 'CL-21/1' });
			await navigate(other, () => link.click());
			assert.equal(other.url(), letterUrl);
			await other.goto(at('/letters'));
			await axe(other, 'the archive');
			assertNoFailures(other);
		} finally {
			await other.context().close();
		}
	});

	await page.context().close();
});

/*
 * carried — comments carried forward to a new version, in real browsers, as
 * issue 8 tells it: a person opens the revised draft, comments on ¶3 and ¶7
 * (without script), makes a mistake, corrects it and sends; the secretariat
 * logs in and posts a new version with the office form where ¶3 is edited
 * and ¶7 removed (confirming the paragraph matches if the version waits as a
 * draft); then a second, anonymous browser context (no cookie of the
 * secretariat's) reads the new version: the comment on ¶3 is carried forward
 * and marked "the paragraph has changed since", the one
 * on ¶7 is listed under "Comments on removed paragraphs" and marked "this
 * paragraph was removed". axe-core on the paragraph page and on the
 * comparison of the two versions: no violation of impact serious or critical.
 *
 * Screenshots go to tests/browser/screenshots/carried-*.png.
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
	description,
	launchBrowser,
	logIn,
	navigate,
	newPage,
	screenshot,
	startServer,
} from './harness.mjs';

const AXE = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
const FAILING_IMPACTS = new Set(['serious', 'critical']);

const SECRETARIAT = 'sec@gca.example';
const PASSWORD = 'a long passphrase for the browser tests';
const NAME = 'Kwame Mensah';
const ON_P3 = 'Name the partners, or say how they are chosen.';
const ON_P7 = 'A report every year is too rare; report twice a year.';
/* What the secretariat changes in ¶3 of the revised draft. */
const P3_ADDED = ' and with regional organizations';

let server;
let browser;

before(async () => {
	server = await startServer(CALL1_OPEN);
	browser = await launchBrowser();
	/* The secretariat is made on the command line, as in real life. */
	addAccount(server, 'secretariat', SECRETARIAT, PASSWORD);
});

after(async () => {
	await browser?.close().catch(() => {});
	await server?.stop().catch(() => {});
});

const at = (p) => new URL(p, server.url).href;

/* Follows a link or presses a button and waits for the page it leads to; returns the response. */

/* Fails on serious or critical axe violations of the page as it is (the context bypasses the CSP for axe). */
async function assertAccessible(page, what) {
	await page.addScriptTag({ path: AXE });
	const found = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	const text = (v) =>
		`${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\n` +
		v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`).join('\n');
	const failing = found.violations.filter((v) => FAILING_IMPACTS.has(v.impact)).map(text);
	const other = found.violations.filter((v) => !FAILING_IMPACTS.has(v.impact)).map(text);
	if (other.length)
		process.stderr.write(`axe on ${what} (${page.url()}), not failing:\n${other.join('\n')}\n`);
	assert.deepEqual(failing, [], `axe found serious or critical violations on ${what} (${page.url()}):\n${failing.join('\n')}`);
}

test('comments on ¶3 and ¶7 are carried to a new version where ¶3 was edited and ¶7 removed', { timeout: TEST_TIMEOUT }, async (t) => {
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
	const person = await newPage(browser, { javaScriptEnabled: false });
	const office = await newPage(browser);
	const anonymous = await newPage(browser, { bypassCSP: true });
	let tracking;
	let v2;
	let v3;

	await step('a person opens the revised draft and comments on ¶3 and ¶7, with a mistake', async () => {
		await person.goto(at('/versions/2'));
		await navigate(person, () => person.getByRole('link', { name: 'Comment on ¶3' }).click());
		assert.equal(await person.locator('#f-comment_1_paragraph').inputValue(), 'p3');
		await person.getByLabel('Name', { exact: true }).fill(NAME);
		await person.getByLabel('Category of stakeholder').selectOption({ label: 'Member States' });
		await person.getByLabel('Country').selectOption({ label: 'Ghana' });
		await person.getByLabel('E-mail address').fill('kwame@example.org');
		await person.locator('#f-comment_1_type').selectOption('technical');
		await person.locator('#f-comment_1_text').fill(ON_P3);
		await navigate(person, () => person.getByRole('button', { name: 'Add another comment' }).click());
		await person.locator('#f-comment_2_paragraph').selectOption('p7');
		await person.locator('#f-comment_2_type').selectOption('editorial');
		/* The mistake: the comment on ¶7 left empty, only its proposed change typed. */
		await person.locator('#f-comment_2_change').fill('The secretariat reports twice a year.');
		await person.getByLabel('Publish it with my name and organization').check();
		const response = await navigate(person, () => person.getByRole('button', { name: 'Send contribution' }).click());
		assert.equal(response.status(), 422);
	});

	await step('the mistake is named, corrected, and the contribution sent and published with the name', async () => {
		assert.match(await description(person.locator('#f-comment_2_text')), /Comment 2: enter the comment\./);
		assert.equal(await person.locator('#f-comment_1_text').inputValue(), ON_P3, 'what was typed stays');
		assert.equal(await person.locator('#f-comment_2_paragraph').inputValue(), 'p7');
		await person.locator('#f-comment_2_text').fill(ON_P7);
		const response = await navigate(person, () => person.getByRole('button', { name: 'Send contribution' }).click());
		assert.equal(response.status(), 200);
		assert.match(new URL(person.url()).pathname, /^\/receipts\//);
		const shown = await person.locator('main').innerText();
		assert.match(shown, /¶3 · Technical/);
		assert.match(shown, /¶7 · Editorial/);
		tracking = /[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]/.exec(shown)?.[0];
		assert.ok(tracking, 'the receipt gives a tracking number');
		await screenshot(person, 'carried-01-receipt');
		/* Call 1 publishes on receipt: the public sees it now, with the name that was chosen. */
		const got = await (await person.request.get(at(`/api/v1/contributions/${tracking}`))).json();
		assert.equal(got.state, 'published');
		assert.equal(got.publication, 'named');
		assert.equal(got.name, NAME);
		assertNoFailures(person);
		await person.context().close();
	});

	await step('the secretariat posts a new version with ¶3 edited and ¶7 removed', async () => {
		v2 = await (await office.request.get(at('/api/v1/versions/2'))).json();
		const p3 = v2.paragraphs.find((p) => p.id === 'p3');
		const p7 = v2.paragraphs.find((p) => p.id === 'p7');
		assert.ok(p3.text.endsWith('.') && v2.markdown.includes(p3.text) && v2.markdown.includes(p7.text + '\n\n'));
		const markdown = v2.markdown
			.replace(p3.text, p3.text.slice(0, -1) + P3_ADDED + '.')
			.replace(p7.text + '\n\n', '');
		await office.goto(at('/office'));
		assert.equal(new URL(office.url()).pathname, '/login');
		await logIn(office, SECRETARIAT, PASSWORD);
		await office.goto(at(`/office/processes/${SLUG}/documents/guidelines/versions/new`));
		await office.getByLabel('Date of the version').fill('2021-02-01');
		await office.getByLabel('Label').fill('Third draft');
		await office.getByLabel('Text in Markdown').fill(markdown);
		await navigate(office, () => office.getByRole('button', { name: 'Post the version' }).click());
		/* Posting may publish at once: a second page says what will happen, and posts it. */
		assert.match(await office.locator('main').innerText(), /A published version cannot be withdrawn/);
		const response = await navigate(office, () => office.getByRole('button', { name: 'Post the version' }).click());
		assert.ok(response.status() < 400, `posting answers ${response.status()}`);
		if (/^\/office\/versions\/\d+\/matches$/.test(new URL(office.url()).pathname)) {
			/* The matching was unsure of a pair: the secretariat confirms each as the same paragraph. */
			await screenshot(office, 'carried-02-matches');
			for (const choice of await office.getByLabel(/^The same paragraph, as ¶/).all())
				await choice.check();
			await navigate(office, () => office.getByRole('button', { name: 'Confirm and publish the version' }).click());
			/* a second page says what publishing does, since it cannot be undone */
			await navigate(office, () => office.getByRole('button', { name: 'Publish the version' }).click());
			assert.match(new URL(office.url()).search, /^\?done=published&id=\d+$/);
		}
		const doc = (await (await office.request.get(at(`/api/v1/processes/${SLUG}`))).json()).documents[0];
		const newest = doc.versions.map((v) => v.id).sort((a, b) => b - a)[0];
		v3 = await (await office.request.get(at(`/api/v1/versions/${newest}`))).json();
		assert.equal(v3.label, 'Third draft');
		assert.equal(v3.state, 'published');
		const p3now = v3.paragraphs.find((p) => p.id === 'p3');
		assert.ok(p3now, 'the edited ¶3 keeps its id');
		assert.ok(p3now.text.includes(P3_ADDED.trim()));
		assert.ok(!v3.paragraphs.some((p) => p.id === 'p7'), 'p7 is gone');
		await office.context().close();
	});

	await step('an anonymous browser sees the comment on ¶3 counted as on an earlier version', async () => {
		const cookies = await anonymous.context().cookies();
		assert.ok(!cookies.some((c) => /session/i.test(c.name)), 'no session of the secretariat');
		await anonymous.goto(at(`/versions/${v3.id}`));
		const count = anonymous.locator('#p3 .pcomments');
		assert.match((await count.innerText()).replace(/\s+/g, ' '), /^1 comment on ¶3 ?, on an earlier version/);
		await screenshot(anonymous, 'carried-03-version');
		await navigate(anonymous, () => count.getByRole('link', { name: '1 comment on ¶3' }).click());
		assert.equal(new URL(anonymous.url()).pathname, `/versions/${v3.id}/paragraphs/p3`);
		const comment = anonymous.locator('li.comment').filter({ hasText: ON_P3 });
		assert.equal(await comment.count(), 1);
		const meta = await comment.locator('.meta').innerText();
		assert.match(meta, /the paragraph has changed since/);
		assert.ok(meta.includes(NAME) && meta.includes(tracking), meta);
		assert.ok(!meta.includes('<strong'), 'the mark is shown, not its markup');
		assert.ok(!(await anonymous.locator('main').innerText()).includes(ON_P7), 'the comment on ¶7 is not on ¶3');
		await screenshot(anonymous, 'carried-04-paragraph');
		await assertAccessible(anonymous, 'the page of a paragraph with a comment carried forward');
	});

	await step('the comment on ¶7 is listed under the removed paragraphs, marked removed', async () => {
		await anonymous.goto(at(`/versions/${v3.id}`));
		const removed = anonymous.getByRole('region', { name: 'Comments on removed paragraphs' });
		const item = removed.getByRole('listitem').filter({ hasText: 'p7' });
		assert.match(await item.innerText(), /1 comment.*this paragraph was removed/s);
		await navigate(anonymous, () => item.getByRole('link').first().click());
		assert.equal(new URL(anonymous.url()).pathname, `/versions/${v3.id}/paragraphs/p7`);
		const comment = anonymous.locator('li.comment').filter({ hasText: ON_P7 });
		assert.equal(await comment.count(), 1);
		assert.match(await comment.locator('.meta').innerText(), /this paragraph was removed/);
		await screenshot(anonymous, 'carried-05-removed');
		await assertAccessible(anonymous, 'the page of a removed paragraph');
	});

	await step('the two versions compare, accessibly', async () => {
		const response = await anonymous.goto(at(`/versions/2/compare/${v3.id}`));
		assert.equal(response.status(), 200);
		const main = await anonymous.locator('main').innerText();
		assert.ok(main.includes(P3_ADDED.trim()), 'the words added to ¶3 show');
		await screenshot(anonymous, 'carried-06-compare');
		await assertAccessible(anonymous, 'the comparison of the two versions');
		assertNoFailures(anonymous);
	});

	await anonymous.context().close();
});

test('the server stops cleanly, without sanitizer reports', { timeout: TEST_TIMEOUT }, async () => {
	await browser.close();
	await server.stop();
});

/*
 * answers — a stakeholder reads the secretariat's answer to each of their
 * comments (issue 9). A stakeholder with an account logs in, comments on ¶3
 * and ¶7 of the revised draft through the form and gets a receipt. The
 * secretariat (the JSON API, with a token) posts a new version in which the
 * text changed, answers both comments (one accepted, landing in a paragraph
 * of the new version; one not accepted) and publishes the call's answers.
 * Then, at 1280 and at 390 px, the stakeholder opens "My contributions",
 * which counts the answers, follows it to their receipt, and opens their
 * contribution's public page: each shows every comment with its decision,
 * the reason and, for the accepted one, a link to the paragraph of the new
 * version, which opens at that paragraph. axe-core finds no serious or
 * critical violation on any of these pages, and nothing scrolls sideways at
 * 390 px. Screenshots go to tests/browser/screenshots/answers-*.png.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
	CALL1_OPEN,
	COMMAND_TIMEOUT,
	HERE,
	SLUG,
	TEST_TIMEOUT,
	assertNoFailures,
	binary,
	launchBrowser,
	newPage,
	screenshot,
	startServer,
} from './harness.mjs';

const AXE = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
const FAILING_IMPACTS = new Set(['serious', 'critical']);

const SECRETARIAT = 'answers-sec@example.org';
const READER = { email: 'lina.haddad@example.org', name: 'Lina Haddad', password: 'a long passphrase for reading answers' };
const ON_P3 = 'Say which partners are meant: "partners" alone is too vague.';
const ON_P7 = 'Report twice a year, not once.';
const P3_NEW =
	'The guidelines apply to all activities of the secretariat that relate to cybersecurity, including those ' +
	'carried out with partners that are international organizations, Member States or Sector Members.';
const REASON_P3 = 'The scope now names the kinds of partners, as asked.';
const REASON_P7 = 'A yearly report matches the cycle of the governing body; twice a year would add little.';
const NEW_LABEL = 'Final draft';

let server;
let browser;
let token;

/* Runs `consulta ARGS` on the test's database; returns its standard output. */
function consulta(args, input) {
	const p = spawnSync(binary(), ['--db', 'sqlite:' + path.join(server.dir, 'consulta.db'), ...args], {
		input: input ?? '',
		env: { ...process.env, CONSULTA_NOW: CALL1_OPEN },
		encoding: 'utf8',
		timeout: COMMAND_TIMEOUT,
	});
	if (p.status !== 0)
		throw new Error(`consulta ${args.join(' ')}: ${p.error?.message ?? p.stderr}`);
	return p.stdout;
}

before(async () => {
	server = await startServer(CALL1_OPEN);
	browser = await launchBrowser();
	/* Both accounts are made on the command line, as in real life; the secretariat works through the API. */
	consulta(['user', 'add', '--role', 'secretariat', '--email', SECRETARIAT, '--password-stdin'],
		'a long passphrase for the secretariat\n');
	token = consulta(['token', 'create', '--email', SECRETARIAT]).trim();
	consulta(['user', 'add', '--role', 'stakeholder', '--email', READER.email, '--name', READER.name,
		'--password-stdin'], READER.password + '\n');
});

after(async () => {
	await browser?.close().catch(() => {});
	await server?.stop().catch(() => {});
});

const at = (p) => new URL(p, server.url).href;

/* The secretariat's JSON API: method, path and body; returns { status, body }. */
async function api(method, p, body) {
	const r = await fetch(at(p), {
		method,
		headers: { Authorization: 'Bearer ' + token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
		body: body ? JSON.stringify(body) : undefined,
	});
	return { status: r.status, body: await r.json() };
}

/* Follows a link or presses a button and waits for the page it leads to; returns the response. */
async function navigate(page, action) {
	const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
	return response;
}

/* Fails on serious or critical axe-core violations; prints the others. */
async function assertAccessible(page, what) {
	await page.addScriptTag({ path: AXE });
	const found = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	const text = (v) => `${v.impact} ${v.id}: ${v.help}\n` +
		v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`).join('\n');
	const failing = found.violations.filter((v) => FAILING_IMPACTS.has(v.impact)).map(text);
	const other = found.violations.filter((v) => !FAILING_IMPACTS.has(v.impact)).map(text);
	if (other.length)
		process.stderr.write(`axe on ${what} (${page.url()}), not failing:\n${other.join('\n')}\n`);
	assert.deepEqual(failing, [], `axe found serious or critical violations on ${what} (${page.url()}):\n${failing.join('\n')}`);
}

/* Fails if the page is wider than the window (it would scroll sideways). */
async function assertNoSidewaysScroll(page, what) {
	const wide = await page.evaluate(() => {
		const out = [];
		for (const e of document.querySelectorAll('main *')) {
			const r = e.getBoundingClientRect();
			if (r.right > document.documentElement.clientWidth + 1 && !e.closest('.visually-hidden'))
				out.push(`<${e.tagName.toLowerCase()}${e.className ? ' class=' + e.className : ''}> ends at ${Math.round(r.right)}px`);
		}
		return { scroll: document.documentElement.scrollWidth, elements: out.slice(0, 5) };
	});
	const width = page.viewportSize().width;
	assert.ok(wide.scroll <= width, `${what} is ${wide.scroll}px wide in a ${width}px window: ${wide.elements.join('; ')}`);
}

/* The answer under the comment whose text is `text`: its decision, where the text landed and the reason. */
function answerOf(page, text) {
	return page.locator('li.comment').filter({ hasText: text }).locator('.disposition');
}

let tracking;
let landed; /* { version, pid, number } of the accepted comment's paragraph in the new version */

test('a stakeholder comments through the form, the secretariat answers and publishes', { timeout: TEST_TIMEOUT }, async (t) => {
	const page = await newPage(browser);
	await t.test('the stakeholder logs in and comments on ¶3 and ¶7 of the revised draft', async () => {
		await page.goto(at('/login'));
		await page.getByLabel('E-mail address').fill(READER.email);
		await page.getByLabel('Password').fill(READER.password);
		await navigate(page, () => page.getByRole('button', { name: 'Log in' }).click());
		await page.goto(at('/versions/2'));
		await navigate(page, () => page.getByRole('link', { name: 'Comment on ¶3' }).click());
		assert.equal(new URL(page.url()).pathname, '/calls/1/contribute');
		await page.getByLabel('Category of stakeholder').selectOption({ label: 'Academia' });
		await page.getByLabel('Country').selectOption({ label: 'Lebanon' });
		await page.locator('#f-comment_1_type').selectOption('technical');
		await page.locator('#f-comment_1_text').fill(ON_P3);
		await navigate(page, () => page.getByRole('button', { name: 'Add another comment' }).click());
		await page.locator('#f-comment_2_paragraph').selectOption('p7');
		await page.locator('#f-comment_2_text').fill(ON_P7);
		await page.getByLabel('Publish it with my name and organization').check();
		const response = await navigate(page, () => page.getByRole('button', { name: 'Send contribution' }).click());
		assert.equal(response.status(), 200);
		const m = /^\/receipts\/([0-9A-Z-]+)$/.exec(new URL(page.url()).pathname);
		assert.ok(m, `a receipt, not ${page.url()}`);
		tracking = m[1];
		/* Before the answers are published, the receipt shows none. */
		assert.equal(await page.locator('.disposition').count(), 0);
	});

	await t.test('the secretariat posts a new version, answers each comment and publishes (API)', async () => {
		const revised = (await api('GET', '/api/v1/versions/2')).body;
		const p3 = revised.paragraphs.find((p) => p.id === 'p3');
		assert.ok(p3, 'the revised draft has a ¶3');
		const markdown = revised.markdown.replace(
			'The guidelines apply to all activities of the secretariat that relate to cybersecurity, including those carried out with partners.',
			P3_NEW);
		assert.notEqual(markdown, revised.markdown, 'the new version changes ¶3');
		const v = await api('POST', `/api/v1/processes/${SLUG}/documents/guidelines/versions`,
			{ markdown, date: '2021-02-01', label: NEW_LABEL });
		assert.equal(v.status, 201, JSON.stringify(v.body));
		const vid = v.body.id;
		if (v.body.state === 'draft') {
			/* The matching asks only about paragraphs it is unsure of: keep its own proposals as new ones. */
			const m = (await api('GET', `/api/v1/versions/${vid}/matches`)).body;
			const decisions = m.paragraphs.filter((p) => p.uncertain).map((p) => ({ number: p.number, choice: 'new' }));
			if (decisions.length)
				assert.equal((await api('POST', `/api/v1/versions/${vid}/matches`, { decisions })).status, 200);
			assert.equal((await api('POST', `/api/v1/versions/${vid}/publish`)).status, 200);
		}
		const paragraphs = (await api('GET', `/api/v1/versions/${vid}`)).body.paragraphs;
		const where = paragraphs.find((p) => (p.text ?? p.markdown ?? '').includes('international organizations, Member States'));
		assert.ok(where, `the new ¶ is in version ${vid}: ${JSON.stringify(paragraphs.map((p) => p.id))}`);
		landed = { version: vid, pid: where.id, number: where.number };

		const comments = (await api('GET', `/api/v1/contributions/${tracking}`)).body.comments;
		assert.equal(comments.length, 2);
		const id = (text) => comments.find((c) => c.comment === text).id;
		let r = await api('POST', `/api/v1/comments/${id(ON_P3)}/disposition`,
			{ decision: 'accepted', reason: REASON_P3, paragraph: landed.pid });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		r = await api('POST', `/api/v1/comments/${id(ON_P7)}/disposition`, { decision: 'not_accepted', reason: REASON_P7 });
		assert.equal(r.status, 200, JSON.stringify(r.body));
		r = await api('POST', '/api/v1/calls/1/dispositions/publish');
		assert.equal(r.status, 200, JSON.stringify(r.body));
	});
	assertNoFailures(page);
	await page.context().close();
});

for (const width of [1280, 390]) {
	test(`at ${width} px the stakeholder reads each comment's answer and opens where the text landed`, { timeout: TEST_TIMEOUT }, async (t) => {
		assert.ok(tracking && landed, 'the contribution was sent and answered');
		const phone = width < 600;
		const page = await newPage(browser, {
			bypassCSP: true, /* to inject axe-core */
			viewport: { width, height: phone ? 844 : 900 },
			...(phone ? { isMobile: true, hasTouch: true } : {}),
		});
		const name = (what) => `answers-${width}-${what}`;
		const checkAnswers = async (what) => {
			const accepted = answerOf(page, ON_P3);
			assert.match(await accepted.innerText(), /Answer: Accepted/);
			assert.ok((await accepted.innerText()).includes(REASON_P3), 'the reason shows');
			const link = accepted.getByRole('link', { name: `¶${landed.number} of ${NEW_LABEL}` });
			assert.equal(await link.getAttribute('href'), `/versions/${landed.version}#${landed.pid}`);
			const refused = answerOf(page, ON_P7);
			assert.match(await refused.innerText(), /Answer: Not accepted/);
			assert.ok((await refused.innerText()).includes(REASON_P7));
			assert.equal(await refused.getByRole('link').count(), 0, 'no paragraph where nothing landed');
			await screenshot(page, name(what));
			await assertAccessible(page, `${what} at ${width} px`);
			if (phone)
				await assertNoSidewaysScroll(page, `${what} at ${width} px`);
		};

		await t.test('"My contributions" counts the answers and leads to the receipt', async () => {
			await page.goto(at('/login'));
			await page.getByLabel('E-mail address').fill(READER.email);
			await page.getByLabel('Password').fill(READER.password);
			await navigate(page, () => page.getByRole('button', { name: 'Log in' }).click());
			await page.goto(at('/account'));
			const row = page.getByRole('row').filter({ hasText: tracking });
			assert.match(await row.innerText(), /1 accepted, 1 not accepted/);
			await screenshot(page, name('my-contributions'));
			await assertAccessible(page, `"My contributions" at ${width} px`);
			if (phone)
				await assertNoSidewaysScroll(page, `"My contributions" at ${width} px`);
			await navigate(page, () => row.getByRole('link', { name: tracking }).click());
			assert.equal(new URL(page.url()).pathname, `/receipts/${tracking}`);
		});

		await t.test('the receipt shows each comment with its decision, reason and where the text landed', async () => {
			await checkAnswers('receipt');
		});

		await t.test('so does the contribution\'s public page, and its link opens the new version at the paragraph', async () => {
			await page.goto(at(`/contributions/${tracking}`));
			await checkAnswers('contribution');
			await navigate(page, () => answerOf(page, ON_P3).getByRole('link', { name: `¶${landed.number} of ${NEW_LABEL}` }).click());
			const url = new URL(page.url());
			assert.equal(url.pathname + url.hash, `/versions/${landed.version}#${landed.pid}`);
			const target = page.locator(`[id="${landed.pid}"]`);
			assert.equal(await target.count(), 1, 'the paragraph is on the page');
			assert.ok((await target.innerText()).includes('international organizations, Member States or Sector Members'),
				'it is the new text');
			assert.ok(await target.isVisible());
			const box = await target.boundingBox();
			assert.ok(box && box.y >= -1 && box.y < page.viewportSize().height, `the paragraph is in view (top at ${box?.y})`);
			await screenshot(page, name('landed'));
			await assertAccessible(page, `the new version at ${width} px`);
		});
		assertNoFailures(page);
		await page.context().close();
	});
}

/*
 * contribute — a person sends a contribution, in a real browser, as the issue
 * tells it: from the home page to the process, to the call that is open now,
 * to the form; they fill it in with the keyboard, make mistakes, are told what
 * to fix (at the top and by each field) without losing what they typed,
 * correct it, send it, and read the receipt. Then the same pages on a phone.
 *
 * Screenshots go to tests/browser/screenshots/contribute-*.png and phone-*.png.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
	CALL1_OPEN,
	CALL1_TITLE,
	PROCESS_TITLE,
	SLUG,
	TEST_TIMEOUT,
	assertFocused,
	assertNoFailures,
	description,
	eventually,
	launchBrowser,
	newPage,
	screenshot,
	startServer,
	tabTo,
} from './harness.mjs';

/* Crockford's base 32, as tracking numbers are written: XXXX-XXXX-X. */
const TRACKING = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$/;

/* What the person types. The text has lines, quotes, markup-like and non-ASCII characters. */
const PERSON = {
	name: 'Zoë Müller-Ødegaard',
	organization: 'Université de Genève',
	category: 'academia',
	country: 'CH',
	wrongEmail: 'zoe.mueller.unige.ch',
	email: 'zoe.mueller@unige.ch',
	text: 'On ¶3: please write "shall" instead of "should".\nOn ¶7: <em>every</em> report & its annexes should be public.',
};

const EMAIL_ERROR = 'This does not look like an e-mail address (name@example.org).';
const PUBLICATION_ERROR =
	'Choose whether your contribution is published with your name, anonymously, or sent to the secretariat only.';

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

/* The facts of the page's <dl class="facts"> lists, as a person reads them: term → text. */
async function facts(page) {
	return page.locator('main').evaluate((main) => {
		const out = {};
		for (const dt of main.querySelectorAll('dl.facts dt'))
			out[dt.textContent.trim()] = dt.nextElementSibling.innerText.trim();
		return out;
	});
}

/* Follows a link or presses a button and waits for the page it leads to; returns the response. */
async function navigate(page, action) {
	const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
	return response;
}

async function h1(page) {
	return (await page.getByRole('heading', { level: 1 }).textContent()).trim();
}

test('a person finds the open call, makes mistakes on the form, corrects them and reads the receipt', { timeout: TEST_TIMEOUT }, async (t) => {
	const page = await newPage(browser);
	let tracking;
	/* Each step goes on from where the previous one left the page: after a failure, the rest are skipped. */
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

	await step('the home page lists the process and says a call is open', async () => {
		const response = await page.goto(server.url);
		assert.equal(response.status(), 200);
		assert.equal(await h1(page), 'Consultations');
		const card = page.getByRole('listitem').filter({ hasText: PROCESS_TITLE });
		assert.match(await card.innerText(), /1 call for contributions open now/);
		/* The stylesheet loads under the page's Content-Security-Policy. */
		assert.equal(await page.locator('main').evaluate((m) => getComputedStyle(m).maxWidth), '960px');
		await screenshot(page, 'contribute-01-home');
		await navigate(page, () => page.getByRole('link', { name: PROCESS_TITLE }).click());
	});

	await step('the process page shows the call under "Open now"', async () => {
		assert.equal(new URL(page.url()).pathname, `/processes/${SLUG}`);
		assert.equal(await h1(page), PROCESS_TITLE);
		const openNow = page.getByRole('region', { name: 'Open now' });
		const text = await openNow.innerText();
		assert.match(text, new RegExp(CALL1_TITLE));
		assert.match(text, /Open/);
		assert.match(text, /Open until 15 February 2021, 23:59 Zurich time \(UTC\+1\)/);
		await screenshot(page, 'contribute-02-process');
		await navigate(page, () => openNow.getByRole('link', { name: CALL1_TITLE, exact: true }).click());
	});

	await step('the call page says the call is open and until when', async () => {
		assert.equal(new URL(page.url()).pathname, '/calls/1');
		assert.equal(await h1(page), CALL1_TITLE);
		const deadline = await page.locator('main .deadline').innerText();
		assert.match(deadline, /^Open until 15 February 2021, 23:59 Zurich time \(UTC\+1\)/);
		assert.equal(await page.locator('main .deadline time').getAttribute('datetime'), '2021-02-15T22:59:59Z');
		assert.equal((await page.locator('main .state').innerText()).trim(), 'Open');
		await screenshot(page, 'contribute-03-call');
		await navigate(page, () => page.getByRole('link', { name: 'Send a contribution' }).click());
	});

	await step('the form is filled in with the keyboard alone, with two mistakes', async () => {
		assert.equal(new URL(page.url()).pathname, '/calls/1/contribute');
		assert.equal(await h1(page), 'Send a contribution');
		assert.match(await page.locator('main').innerText(), new RegExp(`To the call ${CALL1_TITLE}`));

		/* The first Tab shows the skip link; Enter takes the focus to the content. */
		await page.keyboard.press('Tab');
		const skip = page.getByRole('link', { name: 'Skip to content' });
		await assertFocused(skip, 'the skip link');
		const box = await skip.boundingBox();
		assert.ok(box && box.x >= 0 && box.y >= 0, `the focused skip link is on the screen: ${JSON.stringify(box)}`);
		await page.keyboard.press('Enter');
		await assertFocused(page.locator('main'), 'the main content');

		const name = page.getByLabel('Name', { exact: true });
		await tabTo(page, name, 'the Name field');
		await page.keyboard.type(PERSON.name);
		await page.keyboard.press('Tab');
		await assertFocused(page.getByLabel('Organization (optional)'), 'the Organization field');
		await page.keyboard.type(PERSON.organization);
		await page.keyboard.press('Tab');
		/* A closed <select> takes the first letters of an option, as on a desktop. */
		const category = page.getByLabel('Category of stakeholder');
		await assertFocused(category, 'the Category field');
		await page.keyboard.type('Acad');
		assert.equal(await category.inputValue(), PERSON.category);
		await page.keyboard.press('Tab');
		const country = page.getByLabel('Country');
		await assertFocused(country, 'the Country field');
		await page.keyboard.type('Switz');
		assert.equal(await country.inputValue(), PERSON.country);
		await page.keyboard.press('Tab');
		const email = page.getByLabel('E-mail address');
		await assertFocused(email, 'the E-mail field');
		assert.match(await description(email), /never published/);
		await page.keyboard.type(PERSON.wrongEmail); /* mistake 1: no @ */
		await page.keyboard.press('Tab');
		const text = page.getByLabel('Your contribution', { exact: true });
		await assertFocused(text, 'the contribution text');
		await page.keyboard.type(PERSON.text);
		assert.equal(await text.inputValue(), PERSON.text);
		/* Mistake 2: no publication choice; the person tabs past the choices to the button. */
		const send = page.getByRole('button', { name: 'Send contribution' });
		const presses = await tabTo(page, send, 'the Send button', 8); /* past the language, the comment table's and the files' fields too */
		assert.ok(presses >= 2, 'the publication choices are on the way from the text to the button');
		await screenshot(page, 'contribute-04-form-filled');

		const response = await navigate(page, () => page.keyboard.press('Enter'));
		assert.equal(response.status(), 422, 'the form with mistakes is answered with 422');
		assert.equal(response.request().method(), 'POST');
	});

	await step('the mistakes are listed at the top and told by each field', async () => {
		assert.match(await page.title(), /^Error: /, 'the title says there is an error');
		const summary = page.getByRole('alert');
		assert.equal(await summary.count(), 1);
		assert.equal(
			(await summary.getByRole('heading').innerText()).trim(),
			'Your contribution was not sent',
		);
		const links = (await summary.getByRole('link').allInnerTexts()).map((s) => s.trim());
		assert.deepEqual(links, [EMAIL_ERROR, PUBLICATION_ERROR], 'the summary names exactly the two mistakes');
		/* The summary comes before the form, right after the heading. */
		const order = await page.evaluate(() => {
			const s = document.getElementById('error-summary');
			const f = document.querySelector('form');
			return !!(s.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING);
		});
		assert.ok(order, 'the error summary is above the form');

		const email = page.getByLabel('E-mail address');
		assert.equal(await email.getAttribute('aria-invalid'), 'true');
		assert.match(await description(email), new RegExp(EMAIL_ERROR.replace(/[().]/g, '\\$&')));
		assert.ok(await page.locator('.field.invalid').filter({ has: email }).getByText(EMAIL_ERROR).isVisible());
		const publication = page.getByRole('group', { name: 'Publication' });
		assert.ok(await publication.getByText(PUBLICATION_ERROR).isVisible());
		assert.match(await description(publication), /Choose whether/);
		/* Fields without mistakes are not marked. */
		assert.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), null);
		assert.equal(await page.getByLabel('Country').getAttribute('aria-invalid'), null);
		await screenshot(page, 'contribute-05-form-errors');
	});

	await step('what the person typed is still there', async () => {
		assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), PERSON.name);
		assert.equal(await page.getByLabel('Organization (optional)').inputValue(), PERSON.organization);
		assert.equal(await page.getByLabel('Category of stakeholder').inputValue(), PERSON.category);
		assert.equal(await page.getByLabel('Country').inputValue(), PERSON.country);
		assert.equal(await page.getByLabel('E-mail address').inputValue(), PERSON.wrongEmail);
		assert.equal(await page.getByLabel('Your contribution', { exact: true }).inputValue(), PERSON.text);
		for (const label of ['Publish it with my name and organization', 'Publish it without my name',
			'Do not publish it: for the secretariat only'])
			assert.equal(await page.getByLabel(label).isChecked(), false, `${label} is not chosen`);
	});

	await step('the summary leads to each field, and the person corrects the mistakes with the keyboard', async () => {
		const summary = page.getByRole('alert');
		const emailLink = summary.getByRole('link', { name: EMAIL_ERROR });
		await tabTo(page, emailLink, 'the e-mail link of the error summary');
		await page.keyboard.press('Enter');
		assert.equal(new URL(page.url()).hash, '#f-email');
		const email = page.getByLabel('E-mail address');
		await assertFocused(email, 'the E-mail field, after following its link in the summary');
		await page.keyboard.press('ControlOrMeta+A');
		await page.keyboard.type(PERSON.email);
		assert.equal(await email.inputValue(), PERSON.email);

		/* Back up to the summary's second link, which leads to the publication choices. */
		const pubLink = summary.getByRole('link', { name: PUBLICATION_ERROR });
		await pubLink.focus();
		await page.keyboard.press('Enter');
		const named = page.getByLabel('Publish it with my name and organization');
		await assertFocused(named, 'the first publication choice, after following its link in the summary');
		/* Arrow keys move through the choices and choose; Space chooses the one in focus. */
		await page.keyboard.press('ArrowDown');
		assert.equal(await page.getByLabel('Publish it without my name').isChecked(), true);
		await page.keyboard.press('ArrowUp');
		assert.equal(await named.isChecked(), true);
		await page.keyboard.press('Space');
		assert.equal(await named.isChecked(), true);
		assert.equal(await page.getByLabel('Publish it without my name').isChecked(), false);

		const send = page.getByRole('button', { name: 'Send contribution' });
		/* Between the choices and the button, the privacy notice that says what each choice publishes. */
		await page.keyboard.press('Tab');
		await assertFocused(page.getByRole('link', { name: /^Privacy notice/ }), 'the privacy notice, after the publication choices');
		await page.keyboard.press('Tab');
		await assertFocused(send, 'the Send button, right after the privacy notice');
		await screenshot(page, 'contribute-06-form-corrected');
		const response = await navigate(page, () => page.keyboard.press('Enter'));
		assert.equal(response.status(), 200);
		const post = response.request().redirectedFrom();
		assert.equal(post?.method(), 'POST');
		assert.equal((await post.response()).status(), 303,
			'the form answers with 303 See Other, so that reloading the receipt does not send it again');
	});

	await step('the receipt gives the tracking number, when it was received (UTC and Zurich) and the call', async () => {
		const url = new URL(page.url());
		const m = /^\/receipts\/(.+)$/.exec(url.pathname);
		assert.ok(m, `the receipt has its own address: ${url.pathname}`);
		assert.equal(await h1(page), 'Contribution received');
		tracking = (await page.locator('#tracking').innerText()).trim();
		assert.match(tracking, TRACKING);
		assert.equal(decodeURIComponent(m[1]), tracking);
		assert.equal(await page.title(), `Receipt ${tracking} \u2014 Consulta`);
		/* A screen reader says what the number is. */
		assert.match(await page.locator('p.tracking').textContent(), new RegExp(`Tracking number\\s+${tracking}`));
		const f = await facts(page);
		/* the process's zone first, then UTC */
		assert.match(f.Received, /^1 February 2021, 11:00 Zurich time \(UTC\+1\)[^]*2021-02-01 10:00:00 UTC/);
		assert.equal(f.Call, CALL1_TITLE);
		assert.equal(f.Version, `${PROCESS_TITLE}, Revised draft of 5 May 2020`);
		assert.equal(await page.locator('dl.facts').first().getByRole('link', { name: CALL1_TITLE }).getAttribute('href'), '/calls/1');
		/* a copy of what was sent, and what the choice of publication means */
		assert.equal(f.Name, PERSON.name);
		assert.equal(f.Category, 'Academia');
		assert.match(f.Publication, /^Named\. Published with your name and organization/);
		await screenshot(page, 'contribute-07-receipt');
	});

	await step('the contribution is published as chosen, without the e-mail address', async () => {
		assert.ok(tracking, 'a receipt was read');
		await navigate(page, () => page.getByRole('link', { name: 'See your contribution as the public sees it' }).click());
		assert.equal(new URL(page.url()).pathname, `/contributions/${tracking}`);
		const main = page.locator('main');
		assert.equal(await h1(page), `Contribution ${tracking} by ${PERSON.name}`, 'our heading, with the name as typed');
		const shown = await main.innerText();
		assert.ok(shown.includes(PERSON.text), 'the text is shown as typed, markup-like characters included');
		for (const fact of [`Organization: ${PERSON.organization}`, 'Category: Academia', 'Country: Switzerland'])
			assert.ok(shown.replace(/\s+/g, ' ').includes(fact), `${fact} in: ${shown}`);
		assert.ok(!shown.includes(PERSON.email) && !(await page.content()).includes(PERSON.email), 'the e-mail address is not published');
		await screenshot(page, 'contribute-08-contribution');

		await navigate(page, () => page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: CALL1_TITLE }).click());
		await navigate(page, () => page.getByRole('link', { name: 'Published contributions' }).click());
		assert.equal(await h1(page), 'Published contributions');
		assert.match(await main.innerText(), /1 published contribution to this call/);
		assert.ok(await page.getByRole('heading', { name: `Contribution ${tracking} by ${PERSON.name}` }).isVisible());
		assert.ok(await page.getByRole('link', { name: `Contribution ${tracking}` }).isVisible());
		await screenshot(page, 'contribute-09-published');
		assertNoFailures(page);
	});

	await page.context().close();
});

test('a person comments on ¶3 and ¶7 from the version page, adds and removes rows without script, corrects a mistake', { timeout: TEST_TIMEOUT }, async (t) => {
	const page = await newPage(browser, { javaScriptEnabled: false });
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
	const rows = () => page.locator('fieldset.comment');

	await step('the version page has a "Comment on ¶3" link that opens the form with ¶3 chosen', async () => {
		await page.goto(new URL('/versions/2', server.url).href);
		await navigate(page, () => page.getByRole('link', { name: 'Comment on ¶3' }).click());
		assert.equal(new URL(page.url()).pathname, '/calls/1/contribute');
		assert.equal(await rows().count(), 1);
		assert.equal(await page.locator('#f-comment_1_paragraph').inputValue(), 'p3');
	});

	await step('the person adds rows, removes one, and what was typed stays', async () => {
		await page.getByLabel('Name', { exact: true }).fill('Amina Diallo');
		await page.getByLabel('Category of stakeholder').selectOption({ label: 'Academia' });
		await page.getByLabel('Country').selectOption({ label: 'Senegal' });
		await page.getByLabel('E-mail address').fill('amina@example.org');
		await page.locator('#f-comment_1_type').selectOption('technical');
		await page.locator('#f-comment_1_text').fill('Say which partners: "all" is too vague.');
		await navigate(page, () => page.getByRole('button', { name: 'Add another comment' }).click());
		assert.equal(await rows().count(), 2);
		assert.equal(await page.locator('#f-comment_1_text').inputValue(), 'Say which partners: "all" is too vague.');
		assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Amina Diallo');
		await page.locator('#f-comment_2_paragraph').selectOption('p5');
		await page.locator('#f-comment_2_text').fill('A comment I will take back.');
		await navigate(page, () => page.getByRole('button', { name: 'Add another comment' }).click());
		assert.equal(await rows().count(), 3);
		await navigate(page, () => page.getByRole('button', { name: 'Remove comment 2' }).click());
		assert.equal(await rows().count(), 2);
		assert.equal(await page.locator('#f-comment_1_paragraph').inputValue(), 'p3');
		assert.equal(await page.locator('#f-comment_2_text').inputValue(), '', 'the empty third row is now the second');
		/* Mistake: ¶7 chosen, the comment left empty. */
		await page.locator('#f-comment_2_paragraph').selectOption('p7');
		await page.getByLabel('Publish it with my name and organization').check();
		await screenshot(page, 'comments-01-rows');
		const response = await navigate(page, () => page.getByRole('button', { name: 'Send contribution' }).click());
		assert.equal(response.status(), 422);
	});

	await step('the mistake is named at the top and by the row, and corrected', async () => {
		const summary = page.getByRole('alert');
		const link = summary.getByRole('link', { name: 'Comment 2: enter the comment.' });
		assert.equal(await link.getAttribute('href'), '#f-comment_2_text');
		assert.match(await description(page.locator('#f-comment_2_text')), /Comment 2: enter the comment\./);
		assert.equal(await page.locator('#f-comment_2_paragraph').inputValue(), 'p7');
		await screenshot(page, 'comments-02-mistake');
		await page.locator('#f-comment_2_text').fill('Report twice a year.');
		await page.locator('#f-comment_2_change').fill('The secretariat reports twice a year.');
		const response = await navigate(page, () => page.getByRole('button', { name: 'Send contribution' }).click());
		assert.equal(response.status(), 200);
		assert.match(new URL(page.url()).pathname, /^\/receipts\//);
	});

	await step('the receipt lists the comments with their paragraphs', async () => {
		const shown = await page.locator('main').innerText();
		assert.match(shown, /Comments \(2\)/);
		assert.match(shown, /¶3 · Technical/);
		assert.match(shown, /¶7 · General/);
		assert.ok(shown.includes('The secretariat reports twice a year.'));
		await screenshot(page, 'comments-03-receipt');
	});

	await step('the version page counts them, and the paragraph page shows them', async () => {
		await page.goto(new URL('/versions/2', server.url).href);
		await navigate(page, () => page.getByRole('link', { name: '1 comment on ¶3' }).click());
		assert.equal(new URL(page.url()).pathname, '/versions/2/paragraphs/p3');
		assert.ok((await page.locator('main').innerText()).includes('Say which partners: "all" is too vague.'));
		assertNoFailures(page);
	});

	await page.context().close();
});

test('the pages fit a phone screen without sideways scrolling', { timeout: TEST_TIMEOUT }, async () => {
	const page = await newPage(browser, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
	const problems = [];
	async function check(name) {
		/* A phone's browser zooms out a page that is too wide, so compare with the screen, not the window. */
		const screen = page.viewportSize().width;
		const wide = await page.evaluate(() => {
			const out = [];
			for (const e of document.querySelectorAll('main *')) {
				const r = e.getBoundingClientRect();
				if (r.right > document.documentElement.clientWidth + 1 && !e.closest('.visually-hidden'))
					out.push(`<${e.tagName.toLowerCase()}${e.className ? ' class=' + e.className : ''}> ends at ${Math.round(r.right)}px`);
			}
			return { scroll: document.documentElement.scrollWidth, elements: out.slice(0, 5) };
		});
		if (wide.scroll > screen)
			problems.push(`${name} (${page.url()}) is ${wide.scroll}px wide on a ${screen}px screen: ${wide.elements.join('; ')}`);
		await screenshot(page, 'phone-' + name);
	}
	for (const [name, path] of [['home', '/'], ['process', `/processes/${SLUG}`], ['version', '/versions/2'],
		['compare', '/versions/1/compare/2'], ['compare-inline', '/versions/1/compare/2?view=inline'],
		['call', '/calls/1'], ['form', '/calls/1/contribute']]) {
		await page.goto(new URL(path, server.url).href);
		await check(name);
	}
	await navigate(page, () => page.getByRole('button', { name: 'Send contribution' }).click());
	await check('form-errors');
	await page.getByLabel('Name', { exact: true }).fill('Ana');
	await page.getByLabel('Category of stakeholder').selectOption({ label: 'Other stakeholders' });
	await page.getByLabel('Country').selectOption({ label: 'Portugal' });
	await page.getByLabel('E-mail address').fill('ana@example.org');
	await page.getByLabel('Your contribution', { exact: true }).fill('A short contribution from a phone.');
	await page.getByLabel('Publish it without my name').check();
	await navigate(page, () => page.getByRole('button', { name: 'Send contribution' }).click());
	assert.match(new URL(page.url()).pathname, /^\/receipts\//);
	await check('receipt');
	await page.goto(new URL('/calls/1/contributions', server.url).href);
	await check('published');
	assertNoFailures(page);
	await page.context().close();
	assert.deepEqual(problems, []);
});

test('a double click on "Send contribution" sends it once', { timeout: TEST_TIMEOUT }, async () => {
	const page = await newPage(browser);
	const text = 'Sent with an impatient double click.';
	try {
		await page.goto(new URL('/calls/1/contribute', server.url).href);
		await page.getByLabel('Name', { exact: true }).fill('Hasty Harriet');
		await page.getByLabel('Category of stakeholder').selectOption({ label: 'Academia' });
		await page.getByLabel('Country').selectOption({ label: 'Portugal' });
		await page.getByLabel('E-mail address').fill('harriet@example.org');
		await page.getByLabel('Your contribution', { exact: true }).fill(text);
		await page.getByLabel('Publish it with my name').check();
		/* The first POST is held (a slow network or a busy server: its body is on its way), the person clicks
		 * again. Chromium does not send a second POST while the same one is pending (checked here, so that a
		 * change of the form, a script say, that made it send twice is seen); the server itself does not
		 * recognise a repeated POST: two store two contributions. */
		const held = [];
		let release;
		const released = new Promise((resolve) => (release = resolve));
		await page.route('**/calls/1/contribute', async (route) => {
			if (route.request().method() !== 'POST')
				return route.continue();
			held.push(route.request().url());
			await released;
			await route.continue().catch(() => {}); /* a POST the browser gave up is not sent */
		});
		const button = page.getByRole('button', { name: 'Send contribution' }).last();
		await button.click({ noWaitAfter: true });
		await eventually(() => held.length === 1, 'the first POST is on its way');
		await button.click({ noWaitAfter: true }).catch(() => {});
		await page.waitForTimeout(500);
		const sent = held.length;
		await navigate(page, async () => release());
		assert.equal(sent, 1, `one POST for two clicks: ${held.join(', ')}`);
		assert.match(new URL(page.url()).pathname, /^\/receipts\//);
		const stored = spawnSync('sqlite3', [path.join(server.dir, 'consulta.db'),
			`SELECT count(*) FROM contribution WHERE text = '${text}'`], { encoding: 'utf8' });
		assert.equal(stored.stdout.trim(), '1', `stored once: ${stored.stdout}${stored.stderr}`);
		assertNoFailures(page);
	} finally {
		await page.context().close();
	}
});

test('the server stops cleanly, without sanitizer reports', { timeout: TEST_TIMEOUT }, async () => {
	await browser.close();
	await server.stop();
});

/*
 * attachments — files with a contribution, sent from a real browser: the
 * form's file field takes several files (Chromium's own multipart encoding,
 * read by libmicrohttpd's post processor); a file that is not of a kind we
 * take is refused at its field, the error summary links to it, and the page
 * has no serious axe violation; a good PDF and text file are kept and listed
 * on the contribution's page with their kind and size. This server has no
 * clamd (the browser harness starts it without --clamd), so the files are
 * held for scanning, and the page says so (tests/integration/test_attachments.py
 * scans them with a private clamd).
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { CALL1_OPEN, HERE, TEST_TIMEOUT, assertNoFailures, launchBrowser, newPage, screenshot, startServer } from './harness.mjs';

const AXE = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');

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

/* A minimal one-page PDF with its cross-reference table (offsets computed). */
function pdf(text) {
	const stream = `BT /F1 12 Tf 72 720 Td (${text}) Tj ET`;
	const objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
		`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
	];
	let out = '%PDF-1.4\n';
	const offsets = [];
	objects.forEach((o, i) => {
		offsets.push(out.length);
		out += `${i + 1} 0 obj\n${o}\nendobj\n`;
	});
	const xref = out.length;
	out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
	for (const o of offsets)
		out += `${String(o).padStart(10, '0')} 00000 n \n`;
	out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return Buffer.from(out, 'latin1');
}

async function fill(page) {
	await page.locator('#f-name').fill('Zoë Müller');
	await page.locator('#f-category').selectOption('academia');
	await page.locator('#f-country').selectOption('CH');
	await page.locator('#f-email').fill('zoe@example.org');
	await page.locator('#f-text').fill('Our position paper is attached.');
	await page.getByLabel('Publish it with my name and organization').check();
}

async function send(page) {
	const [response] = await Promise.all([
		page.waitForNavigation({ waitUntil: 'load' }),
		page.getByRole('button', { name: 'Send contribution' }).last().click(),
	]);
	return response;
}

test('files sent from the browser: a wrong kind is refused at its field, good ones are kept and listed', { timeout: TEST_TIMEOUT }, async () => {
	const page = await newPage(browser, { bypassCSP: true }); /* for axe's script only */
	await page.goto(new URL('/calls/1/contribute', server.url).href);
	await fill(page);
	const field = page.locator('#f-attachments');
	assert.equal(await page.getByLabel('Files (optional)').getAttribute('id'), 'f-attachments');
	await field.setInputFiles([{ name: 'paper.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<!DOCTYPE html><html><body>not a pdf</body></html>') }]);
	let response = await send(page);
	assert.equal(response.status(), 422);
	const summary = page.locator('#error-summary');
	assert.match(await summary.innerText(), /The file "paper.pdf" is not a PDF, DOCX, ODT, XLSX or TXT file/);
	await summary.getByRole('link', { name: /paper\.pdf/ }).click();
	assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-attachments');
	assert.equal(await field.getAttribute('aria-invalid'), 'true');
	assert.match(await page.locator('#h-attachments').innerText(), /choose them again/);
	await page.addScriptTag({ path: AXE });
	const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	const failing = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	assert.deepEqual(failing.map((v) => `${v.id}: ${v.help}`), []);
	await screenshot(page, 'attachments-01-refused');

	/* what was typed is kept; the files are chosen again */
	assert.equal(await page.locator('#f-name').inputValue(), 'Zoë Müller');
	const paper = pdf('Position paper');
	const notes = Buffer.from('Notes on paragraph 3.\n');
	await field.setInputFiles([
		{ name: 'position paper.pdf', mimeType: 'application/pdf', buffer: paper },
		{ name: 'notes.txt', mimeType: 'text/plain', buffer: notes },
	]);
	response = await send(page);
	assert.equal(response.status(), 200);
	assert.match(new URL(page.url()).pathname, /^\/receipts\//);
	const tracking = (await page.locator('#tracking').innerText()).trim();

	await page.goto(new URL(`/contributions/${tracking}`, server.url).href);
	const files = page.getByRole('region', { name: 'Files (2)' });
	const text = await files.innerText();
	assert.match(text, new RegExp(`position paper\\.pdf \\(PDF, ${paper.length} bytes\\): waiting for its virus check`));
	assert.match(text, new RegExp(`notes\\.txt \\(TXT, ${notes.length} bytes\\): waiting for its virus check`));
	await screenshot(page, 'attachments-02-held');
	assertNoFailures(page);
});

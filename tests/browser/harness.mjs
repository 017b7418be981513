/*
 * harness — what every browser test file shares: a real `consulta serve` with
 * a fresh database in its own temporary directory (init + the non-live demo)
 * and a frozen clock, Debian's Chromium driven by playwright-core, and a few
 * assertions that playwright-core (without @playwright/test) does not have.
 *
 * The server listens on a free loopback port (--listen 127.0.0.1:0) and says
 * which on its first line of standard output. Its standard error goes to a
 * file; any AddressSanitizer, UBSan or LeakSanitizer report there fails the
 * test that stops the server. Every wait is bounded, and the browser never
 * downloads anything: it is /usr/bin/chromium, with networking features off.
 */

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
export const SCREENSHOTS = path.join(HERE, 'screenshots');

/* Bounds, in milliseconds. The sanitizer build is slow: these are ceilings, not waits. */
export const START_TIMEOUT = 20000;
export const STOP_TIMEOUT = 20000;
export const COMMAND_TIMEOUT = 30000;
export const ACTION_TIMEOUT = 15000;
export const NAVIGATION_TIMEOUT = 20000;
export const TEST_TIMEOUT = 120000;
/* A whole test file, after which it stops its server and browser and exits. */
export const FILE_TIMEOUT = 300000;

/* Call 1 of the demo ("Written inputs on the revised draft") is open at this instant. */
export const CALL1_OPEN = '2021-02-01T10:00:00Z';
export const SLUG = 'gca-guidelines';
export const PROCESS_TITLE = 'Draft Guidelines for utilization of the GCA';
export const CALL1_TITLE = 'Written inputs on the revised draft';

const SANITIZER_MARKERS = ['ERROR: AddressSanitizer', 'runtime error:', 'LeakSanitizer', 'ERROR: ThreadSanitizer'];

/* The same sanitizer settings as scripts/run-tests.sh, when a file is run by hand. */
process.env.ASAN_OPTIONS ??= 'abort_on_error=0:detect_leaks=1:halt_on_error=1';
process.env.UBSAN_OPTIONS ??= 'print_stacktrace=1:halt_on_error=1';
process.env.LSAN_OPTIONS ??= 'suppressions=' + path.join(ROOT, 'tests', 'lsan.supp');

/* The consulta binary: $CONSULTA_BIN, or build-test/consulta; relative paths from the repository. */
export function binary() {
	const p = process.env.CONSULTA_BIN || 'build-test/consulta';
	return path.isAbsolute(p) ? p : path.resolve(ROOT, p);
}

/* The first line of a sanitizer report in text, or null. */
export function sanitizerReport(text) {
	for (const line of text.split('\n'))
		if (SANITIZER_MARKERS.some((m) => line.includes(m)))
			return line.trim();
	return null;
}

function runCommand(db, now, args, input) {
	const env = { ...process.env, CONSULTA_NOW: now };
	const p = spawnSync(binary(), ['--db', 'sqlite:' + db, ...args], {
		env,
		encoding: 'utf8',
		timeout: COMMAND_TIMEOUT,
		input,
		stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
	});
	if (p.error)
		throw new Error(`consulta ${args.join(' ')}: ${p.error.message}`);
	const report = sanitizerReport(p.stderr);
	if (report)
		throw new Error(`sanitizer report from consulta ${args.join(' ')}: ${report}\n${p.stderr.slice(-4000)}`);
	if (p.status !== 0)
		throw new Error(`consulta ${args.join(' ')} exited with ${p.status ?? p.signal}: ${p.stderr}`);
}

/* Servers and browsers still running; stopped if the file ends or runs out of time. */
const running = new Set();

process.on('exit', () => {
	for (const r of running)
		r.kill();
});

setTimeout(() => {
	process.stderr.write(`browser test file ran longer than ${FILE_TIMEOUT / 1000}s; stopping\n`);
	for (const r of running)
		r.kill();
	process.exit(1);
}, FILE_TIMEOUT).unref();

/*
 * Starts `consulta serve` on a fresh database with the clock frozen at now.
 * Returns { url, dir, now, stop() }; stop() throws if the server exited badly or
 * its standard error holds a sanitizer report.
 */
export async function startServer(now = CALL1_OPEN) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consulta-browser-'));
	const db = path.join(dir, 'consulta.db');
	runCommand(db, now, ['init']);
	runCommand(db, now, ['demo']);
	const errPath = path.join(dir, 'serve.err');
	const errFd = fs.openSync(errPath, 'w');
	const proc = spawn(binary(), ['--db', 'sqlite:' + db, 'serve', '--listen', '127.0.0.1:0'], {
		env: { ...process.env, CONSULTA_NOW: now },
		stdio: ['ignore', 'pipe', errFd],
	});
	fs.closeSync(errFd);
	const stderr = () => fs.readFileSync(errPath, 'utf8');
	const entry = { kill: () => proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL') };
	running.add(entry);
	const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));

	let url;
	try {
		url = await new Promise((resolve, reject) => {
			let out = '';
			const timer = setTimeout(
				() => reject(new Error(`consulta serve did not start within ${START_TIMEOUT / 1000}s`)),
				START_TIMEOUT,
			);
			proc.stdout.setEncoding('utf8');
			proc.stdout.on('data', (chunk) => {
				out += chunk;
				const nl = out.indexOf('\n');
				if (nl < 0)
					return;
				clearTimeout(timer);
				const m = /^listening on (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(out.slice(0, nl).trim());
				if (m)
					resolve(m[1]);
				else
					reject(new Error(`consulta serve did not say where it listens: ${JSON.stringify(out)}`));
			});
			proc.once('error', (e) => {
				clearTimeout(timer);
				reject(e);
			});
			proc.once('exit', (code, signal) => {
				clearTimeout(timer);
				reject(new Error(`consulta serve exited (${code ?? signal}) before listening`));
			});
		});
	} catch (e) {
		entry.kill();
		running.delete(entry);
		e.message += `; stderr:\n${stderr().slice(-4000)}`;
		throw e;
	}
	/* Keep reading stdout so that the server never blocks on a full pipe. */
	proc.stdout.resume();

	let stopped = false;
	async function stop() {
		if (stopped)
			return;
		stopped = true;
		if (proc.exitCode === null && proc.signalCode === null)
			proc.kill('SIGTERM');
		const timeout = new Promise((resolve) => setTimeout(() => resolve(null), STOP_TIMEOUT).unref());
		let how = await Promise.race([exited, timeout]);
		running.delete(entry);
		const problems = [];
		if (!how) {
			proc.kill('SIGKILL');
			how = await exited;
			problems.push(`consulta serve did not stop within ${STOP_TIMEOUT / 1000}s of SIGTERM`);
		} else if (how.code !== 0 && how.signal !== 'SIGTERM') {
			problems.push(`consulta serve exited with ${how.code ?? how.signal}`);
		}
		const text = stderr();
		const report = sanitizerReport(text);
		if (report)
			problems.push(`sanitizer report: ${report}`);
		if (problems.length)
			throw new Error(`${problems.join('; ')}\n${text.slice(-4000)}`);
		fs.rmSync(dir, { recursive: true, force: true });
	}
	return { url, dir, now, stop, stderr };
}

/* Debian's Chromium, headless, with nothing that reaches the network. */
export async function launchBrowser() {
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
		timeout: START_TIMEOUT,
	});
	const entry = { kill: () => browser.process()?.kill('SIGKILL') };
	running.add(entry);
	browser.once('disconnected', () => running.delete(entry));
	return browser;
}

/* A new page with the bounded timeouts; options go to browser.newContext. */
export async function newPage(browser, options = {}) {
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
	context.setDefaultTimeout(ACTION_TIMEOUT);
	context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT);
	const page = await context.newPage();
	/*
	 * A page that fails to load a resource (the stylesheet, say), breaks its
	 * Content-Security-Policy or answers 500 is a failure too. Pages that
	 * answer 4xx on purpose (a form with mistakes: 422) are not, nor the
	 * favicon the browser asks for on its own, nor that request cut short
	 * (ERR_ABORTED) when the test goes on to the next page before it came:
	 * that is the browser's doing, not the server's.
	 */
	page.failures = [];
	page.on('console', (m) => {
		if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
			page.failures.push(`console: ${m.text()} (${m.location().url})`);
	});
	page.on('pageerror', (e) => page.failures.push(`page error: ${e.message}`));
	page.on('requestfailed', (r) => {
		const why = r.failure()?.errorText;
		if (why === 'net::ERR_ABORTED' && new URL(r.url()).pathname === '/static/favicon.svg')
			return;
		page.failures.push(`request failed: ${r.url()} ${why}`);
	});
	page.on('response', (r) => {
		const doc = r.request().resourceType() === 'document';
		if (r.status() >= 500 || (r.status() >= 400 && !doc && new URL(r.url()).pathname !== '/favicon.ico'))
			page.failures.push(`HTTP ${r.status()}: ${r.url()}`);
	});
	return page;
}

/* Adds an account to the server's database on the command line, as an operator does (the password on
 * standard input); throws if `consulta user add` fails. */
export function addAccount(server, role, email, password) {
	runCommand(path.join(server.dir, 'consulta.db'), server.now, ['user', 'add', '--role', role, '--email', email,
		'--password-stdin'], password + '\n');
}

/* Runs action() (a click, a submission) and waits for the navigation it starts; the navigation's response. */
export async function navigate(page, action) {
	const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
	return response;
}

/* Logs in on the log-in form the page shows (the login page, or a page that sent the visitor there): fills
 * the address and the password as a person would, by their labels, and waits for the page it leads to. */
export async function logIn(page, email, password) {
	await page.getByLabel('E-mail address').fill(email);
	await page.getByLabel('Password').fill(password);
	return navigate(page, () => page.getByRole('button', { name: 'Log in' }).click());
}

/* A full-page screenshot in tests/browser/screenshots/ (gitignored), for people to look at. */
export async function screenshot(page, name) {
	fs.mkdirSync(SCREENSHOTS, { recursive: true });
	await page.screenshot({ path: path.join(SCREENSHOTS, name + '.png'), fullPage: true });
}

/* Waits (bounded) until cond() is truthy; fails with message() otherwise. */
export async function eventually(cond, message, timeout = ACTION_TIMEOUT) {
	const end = Date.now() + timeout;
	for (;;) {
		if (await cond())
			return;
		if (Date.now() > end)
			throw new Error(typeof message === 'function' ? await message() : message);
		await new Promise((r) => setTimeout(r, 50));
	}
}

/* Describes the element that has the keyboard focus: tag, id, name, label. */
export async function focusedDescription(page) {
	return page.evaluate(() => {
		const e = document.activeElement;
		if (!e || e === document.body)
			return '(nothing: the body)';
		const label = e.labels?.[0]?.textContent ?? e.getAttribute('aria-label') ?? e.textContent;
		return `<${e.tagName.toLowerCase()}${e.id ? ' id=' + e.id : ''}> ${JSON.stringify((label || '').trim().slice(0, 60))}`;
	});
}

/* Asserts that locator's element has the keyboard focus. */
export async function assertFocused(locator, what) {
	await eventually(
		() => locator.evaluate((e) => e === document.activeElement),
		async () => `expected the focus on ${what}, it is on ${await focusedDescription(locator.page())}`,
		3000,
	);
}

/* Presses Tab until the locator's element has the focus (at most max times); returns how many. */
export async function tabTo(page, locator, what, max = 40) {
	for (let i = 1; i <= max; i++) {
		await page.keyboard.press('Tab');
		if (await locator.evaluate((e) => e === document.activeElement))
			return i;
	}
	throw new Error(`${what} was not reached with ${max} presses of Tab; the focus is on ${await focusedDescription(page)}`);
}

/* The text of the accessible description of a form control (aria-describedby), as a screen reader reads it. */
export async function description(locator) {
	return locator.evaluate((e) =>
		(e.getAttribute('aria-describedby') || '')
			.split(/\s+/)
			.filter(Boolean)
			.map((id) => document.getElementById(id)?.textContent.trim() ?? `(missing #${id})`)
			.join(' '),
	);
}

/* Asserts that nothing went wrong while loading the page's resources. */
export function assertNoFailures(page) {
	if (page.failures.length)
		throw new Error(`the browser reported:\n${page.failures.join('\n')}`);
}

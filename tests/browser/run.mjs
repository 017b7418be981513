#!/usr/bin/env node
/*
 * run — the browser tests of Consulta, as TAP.
 *
 *     node tests/browser/run.mjs [--dir DIR] [SUBSTRING]...
 *
 * Runs every tests/browser/*.test.mjs with node's built-in test runner (each
 * file in its own process, one file at a time; each starts its own
 * `consulta serve` and Chromium, see harness.mjs) and prints one line per
 * top-level test, "ok N - file: name" or "not ok N - file: name", at column 0,
 * with "# " lines saying why a test failed (its failed steps included), then
 * the plan "1..N". Steps inside a test (t.test) are not counted. Exits 1 if
 * any test failed or none ran. With arguments, runs only the files whose
 * name contains one of them.
 *
 * No test is lost silently: a top-level test that a file declared (node:test
 * says so as it enqueues it) but that never reported (the file's process
 * left early, process.exit in a test, a crash) is a failure; so is a file
 * that ran no test at all (node reports such a file as one passing test
 * named after the file), and a file that reported nothing. The binary is $CONSULTA_BIN (default
 * build-test/consulta, relative to the repository). --dir takes the test
 * files from DIR instead of this directory (tests/runners/ checks this
 * runner so).
 */

import fs from 'node:fs';
import path from 'node:path';
import { run } from 'node:test';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/* Per test; a file also stops itself after harness.mjs's FILE_TIMEOUT. */
const TEST_TIMEOUT = 180000;
/* The whole suite. */
const SUITE_TIMEOUT = 900000;

const args = process.argv.slice(2);
let dir = HERE;
if (args[0] === '--dir') {
	dir = path.resolve(args[1]);
	args.splice(0, 2);
}
const filters = args;
const files = fs
	.readdirSync(dir)
	.filter((f) => f.endsWith('.test.mjs') && (!filters.length || filters.some((s) => f.includes(s))))
	.sort()
	.map((f) => path.join(dir, f));

const out = (line) => process.stdout.write(line + '\n');
const diag = (text) => {
	for (const line of String(text).replace(/\x1b\[[0-9;]*m/g, '').replace(/\s+$/, '').split('\n'))
		out('# ' + line);
};

/* An error as node:test reports it: the test's own error, not the wrapper around it. */
function explain(error) {
	if (!error)
		return 'failed';
	const cause = error.cause ?? error;
	if (cause instanceof Error || (cause && cause.stack)) {
		/* The frames of the tests, not of node's test runner. */
		const lines = String(cause.stack || cause.message).split('\n');
		return lines.filter((l, i) => i === 0 || !/\((node:|.*node_modules)|^\s*at node:/.test(l)).join('\n');
	}
	return String(cause?.message ?? cause);
}

out('TAP version 13');
let n = 0;
let failed = 0;
/* Failed steps (nested tests) of each file, printed under the top-level test that holds them. */
const pendingSteps = new Map();
/* Per file: how many top-level tests of each name it declared and has not reported yet. */
const declared = new Map();
/* The files that reported at least one top-level result. */
const reported = new Set();
const fail = (line) => {
	n++;
	failed++;
	out(`not ok ${n} - ${line.replace(/#/g, '\\#')}`);
};

const stream = run({ files, concurrency: 1, timeout: TEST_TIMEOUT });
const watchdog = setTimeout(() => {
	out(`not ok ${++n} - the browser suite did not end within ${SUITE_TIMEOUT / 1000}s`);
	out(`1..${n}`);
	process.exit(1);
}, SUITE_TIMEOUT);
watchdog.unref();

for await (const event of stream) {
	const { type, data } = event;
	if (type === 'test:stdout' || type === 'test:stderr') {
		/* What the test files print goes to standard error, so that it never looks like TAP. */
		process.stderr.write(data.message);
		continue;
	}
	if (type === 'test:diagnostic') {
		if (data.file && data.nesting > 0)
			process.stderr.write(`# ${data.message}\n`);
		continue;
	}
	if (type === 'test:enqueue' && data.nesting === 0 && data.file && data.name !== data.file) {
		const names = declared.get(data.file) ?? new Map();
		names.set(data.name, (names.get(data.name) ?? 0) + 1);
		declared.set(data.file, names);
		continue;
	}
	if (type !== 'test:pass' && type !== 'test:fail')
		continue;
	const file = data.file ? path.basename(data.file) : '';
	const key = data.file ?? '';
	if (data.nesting === 0) {
		reported.add(key);
		const names = declared.get(key);
		if (names && names.get(data.name) > 0)
			names.set(data.name, names.get(data.name) - 1);
		if (type === 'test:pass' && data.file && data.name === data.file) {
			/* The file itself passed: it ran no test of its own. */
			fail(`${file}: ran no test (it declares none, or left before the first)`);
			continue;
		}
	}
	if (data.nesting > 0) {
		if (type === 'test:fail') {
			const steps = pendingSteps.get(key) ?? [];
			steps.push(`step "${data.name}" failed: ${explain(data.details?.error)}`);
			pendingSteps.set(key, steps);
		}
		continue;
	}
	const name = (file && data.name !== data.file ? `${file}: ${data.name}` : file || data.name).replace(/#/g, '\\#');
	const skip = data.skip !== undefined && data.skip !== false ? ' # SKIP' + (data.skip === true ? '' : ' ' + data.skip) : '';
	const todo = data.todo !== undefined && data.todo !== false ? ' # TODO' + (data.todo === true ? '' : ' ' + data.todo) : '';
	n++;
	if (type === 'test:pass') {
		out(`ok ${n} - ${name}${skip}${todo}`);
	} else {
		if (!todo)
			failed++;
		out(`not ok ${n} - ${name}${todo}`);
		diag(explain(data.details?.error));
		for (const step of pendingSteps.get(key) ?? [])
			diag(step);
	}
	pendingSteps.delete(key);
}
clearTimeout(watchdog);

for (const f of files) {
	for (const [name, left] of declared.get(f) ?? [])
		for (let k = 0; k < left; k++)
			fail(`${path.basename(f)}: ${name} never finished (the file's process ended before it reported)`);
	if (!reported.has(f))
		fail(`${path.basename(f)}: reported no test`);
}

if (n === 0) {
	out(`not ok 1 - no browser test ran (${files.length} files found)`);
	n = 1;
	failed = 1;
}
out(`1..${n}`);
out(`# ${n - failed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;

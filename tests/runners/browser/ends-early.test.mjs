/* tests/runners case: the file's process ends (exit status 0) while a declared test still runs. */
import { test } from 'node:test';

test('first', () => {});
test('cut short', async () => {
	setTimeout(() => process.exit(0), 10);
	await new Promise((resolve) => setTimeout(resolve, 5000));
});

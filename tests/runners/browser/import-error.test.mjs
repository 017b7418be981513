/* tests/runners case: a file that throws when it is imported; its test never runs. */
import { test } from 'node:test';

throw new Error('this file is broken at import');

test('never', () => {});

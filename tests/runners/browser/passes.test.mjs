/* tests/runners case: a file with a test that passes. */
import { test } from 'node:test';

test('one', () => {});

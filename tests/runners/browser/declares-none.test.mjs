/* tests/runners case: a file that declares no test. */
import 'node:test';

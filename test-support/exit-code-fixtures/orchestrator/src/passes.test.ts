// Exit-code guard fixture (see test-support/exit-code.test.ts): passes. Not part of the suite.
import { expect, it } from 'vitest';

it('passes', () => {
  expect(1 + 1).toBe(2);
});

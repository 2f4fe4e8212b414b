// Exit-code guard fixture (see test-support/exit-code.test.ts): fails on purpose. Not part of the suite.
import { expect, it } from 'vitest';

it('fails on purpose', () => {
  expect(1, 'GUARD-FIXTURE-FAILURE').toBe(2);
});

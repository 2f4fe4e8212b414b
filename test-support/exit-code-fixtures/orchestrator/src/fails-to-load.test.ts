// Exit-code guard fixture (see test-support/exit-code.test.ts): its import fails, so the file fails to load.
import { expect, it } from 'vitest';
import { missing } from './no-such-module.ts';

it('never runs', () => {
  expect(missing).toBeDefined();
});

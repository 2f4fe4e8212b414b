import { describe, expect, it } from 'vitest';
import { createInterner } from './interner.ts';

describe('createInterner', () => {
  it('returns the first instance of a string for every later equal one', () => {
    const intern = createInterner();
    const first = intern(['request', 'completed'].join(' '));
    const later = intern(['request', 'completed'].join(' '));
    expect(later).toBe('request completed');
    expect(later).toBe(first);
    expect(intern.size).toBe(1);
  });

  it('passes longer strings through without keeping them', () => {
    const intern = createInterner({ maxChars: 8 });
    expect(intern('x'.repeat(9))).toBe('x'.repeat(9));
    expect(intern.size).toBe(0);
  });

  it('is bounded: a full table starts over instead of growing', () => {
    const intern = createInterner({ maxEntries: 100 });
    for (let i = 0; i < 1000; i++) intern(`/api/products/${i}`);
    expect(intern.size).toBeLessThanOrEqual(100);
    expect(intern('/api/products/999')).toBe('/api/products/999');
  });
});

import { describe, expect, it } from 'vitest';
import { levelRank, parseLevel } from './log-level.ts';

describe('parseLevel', () => {
  it('reads pino labels in any case and common aliases', () => {
    expect(parseLevel('info')).toBe('info');
    expect(parseLevel('WARN')).toBe('warn');
    expect(parseLevel('warning')).toBe('warn');
    expect(parseLevel(' error ')).toBe('error');
    expect(parseLevel('fatal')).toBe('fatal');
  });
  it('reads pino numbers, rounding custom numbers down', () => {
    expect(parseLevel(10)).toBe('trace');
    expect(parseLevel(30)).toBe('info');
    expect(parseLevel(45)).toBe('warn');
    expect(parseLevel(60)).toBe('fatal');
    expect(parseLevel(5)).toBe('trace');
  });
  it('falls back for unknown values', () => {
    expect(parseLevel('loud')).toBe('info');
    expect(parseLevel(undefined, 'error')).toBe('error');
    expect(parseLevel({})).toBe('info');
  });
  it('orders levels', () => {
    expect(levelRank('debug')).toBeLessThan(levelRank('info'));
    expect(levelRank('error')).toBeGreaterThan(levelRank('warn'));
  });
});

import { describe, expect, it } from 'vitest';
import { expandTemplate, goFloat, goG4, humanize } from './template.ts';

describe('alert templates', () => {
  it('formats floats as Go does for {{ $value }} and %.4g', () => {
    expect([0.4, 5, 1e-5, 1234567, 100000, 0.0001, NaN, Infinity].map(goFloat)).toEqual([
      '0.4',
      '5',
      '1e-05',
      '1.234567e+06',
      '100000',
      '0.0001',
      'NaN',
      '+Inf',
    ]);
    expect([33.33333, 90, 8.25688, 12346, 0.00001234, 0].map(goG4)).toEqual([
      '33.33',
      '90',
      '8.257',
      '1.235e+04',
      '1.234e-05',
      '0',
    ]);
  });

  it('humanizes with SI prefixes like Prometheus', () => {
    expect([1234, 0.25, 2_500_000, 0.0004, 0].map(humanize)).toEqual(['1.234k', '250m', '2.5M', '400u', '0']);
  });

  it('expands $labels, $value and pipes; a missing label is empty', () => {
    const data = { labels: { service: 'api' }, value: 0.3333333 };
    expect(expandTemplate('{{ $labels.service }}: {{ $value }} / {{ .Labels.service }} {{.Value}}', data)).toBe(
      'api: 0.3333333 / api 0.3333333',
    );
    expect(expandTemplate('{{ $value | humanizePercentage }} of {{ $labels.nope }}x', data)).toBe('33.33% of x');
    expect(expandTemplate('lag {{- $value | humanize -}} s', { labels: {}, value: 0.4 })).toBe('lag400ms');
  });

  it('answers an unsupported action with Prometheus-style error text', () => {
    expect(expandTemplate('{{ range $labels }}x{{ end }}', { labels: {}, value: 1 })).toMatchInlineSnapshot(
      `"<error expanding template: unsupported action {{ range $labels }}>"`,
    );
    expect(expandTemplate('{{ $value | title }}', { labels: {}, value: 1 })).toMatchInlineSnapshot(
      `"<error expanding template: function "title" not defined>"`,
    );
  });
});

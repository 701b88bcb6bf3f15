/** Money and sizes as the dashboard shows them: amounts are often fractions of a cent. */
import { describe, expect, it } from 'vitest';
import { formatBytes, formatUsd } from '../../../renderer/src/format/format.js';

describe('formatUsd', () => {
  it.each([
    [0, '$0.00'],
    [0.0000123, '$0.000012'],
    [0.0001, '$0.0001'],
    [0.05, '$0.05'],
    [0.1234, '$0.1234'],
    [0.5, '$0.50'],
    [12.345, '$12.35'],
    [1234.5, '$1,234.50'],
    [-0.003, '-$0.003'],
  ])('%s → %s', (amount, text) => {
    expect(formatUsd(amount, 'en-US')).toBe(text);
  });

  it('follows the language', () => {
    expect(formatUsd(0.0000123, 'fr').replace(/\s/g, ' ')).toBe('0,000012 $US');
  });
});

describe('formatBytes', () => {
  it('uses decimal units and the language’s abbreviations', () => {
    expect(formatBytes(491_000_000, 'en')).toBe('491 MB');
    expect(formatBytes(24_100_000_000, 'fr').replace(/\s/g, ' ')).toBe('24,1 Go');
  });
});

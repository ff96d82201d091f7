import { describe, expect, it } from 'vitest';
import { formatBytes, parseBytes, parseDuration } from '../../src/cli/units.js';

describe('command-line units', () => {
  it.each([
    ['1024', 1024],
    ['512MB', 512e6],
    ['10gb', 10e9],
    ['1.5g', 1.5e9],
    ['2GiB', 2 * 1024 ** 3],
  ])('reads the size %s', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it.each([
    ['24h', 86_400_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['500ms', 500],
  ])('reads the duration %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('refuses sizes and durations it cannot read', () => {
    expect(() => parseBytes('ten')).toThrow('invalid size');
    expect(() => parseDuration('3 days')).toThrow('invalid duration');
    expect(() => parseDuration('1h junk')).toThrow('invalid duration');
  });

  it('prints sizes the way docker does', () => {
    expect([formatBytes(0), formatBytes(999), formatBytes(2_129_920), formatBytes(1.5e9)]).toEqual(['0B', '999B', '2.13MB', '1.5GB']);
  });
});

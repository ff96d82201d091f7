import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { progressBar, transferRenderer } from '../../src/cli/progress/transfer.js';

function fakeStream(isTTY: boolean): { frames: string[]; stream: NodeJS.WriteStream } {
  const frames: string[] = [];
  const stream = { isTTY, columns: 120, write: (s: string) => frames.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return { frames, stream };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('transfer progress display', () => {
  it('draws a byte bar with sizes', () => {
    expect(progressBar(0, 2_000_000)).toBe(`[>${' '.repeat(39)}]  0B/2MB`);
    expect(progressBar(1_000_000, 2_000_000)).toBe(`[${'='.repeat(20)}>${' '.repeat(19)}]  1MB/2MB`);
    expect(progressBar(2_000_000, 2_000_000)).toBe(`[${'='.repeat(40)}]  2MB/2MB`);
    expect(progressBar(1234, undefined)).toBe('1.23kB');
  });

  it('redraws one line per layer in place on a terminal, ten times a second', () => {
    const { frames, stream } = fakeStream(true);
    const display = transferRenderer(stream);
    display.onProgress({ id: 'aaaaaaaaaaaa', status: 'Already exists' });
    display.onProgress({ id: 'bbbbbbbbbbbb', status: 'Downloading', current: 500_000, total: 1_000_000 });
    vi.advanceTimersByTime(100);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toBe(`aaaaaaaaaaaa: Already exists\x1b[K\nbbbbbbbbbbbb: Downloading [${'='.repeat(20)}>${' '.repeat(19)}]  500kB/1MB\x1b[K\n`);
    display.onProgress({ id: 'bbbbbbbbbbbb', status: 'Pull complete' });
    display.finish();
    expect(frames.at(-1)).toBe('\x1b[2Faaaaaaaaaaaa: Already exists\x1b[K\nbbbbbbbbbbbb: Pull complete\x1b[K\n');
    const count = frames.length;
    vi.advanceTimersByTime(1000);
    expect(frames).toHaveLength(count);
  });

  it('prints a plain line per status change otherwise, not per byte', () => {
    const { frames, stream } = fakeStream(false);
    const display = transferRenderer(stream);
    display.onProgress({ id: 'bbbbbbbbbbbb', status: 'Downloading', current: 1, total: 10 });
    display.onProgress({ id: 'bbbbbbbbbbbb', status: 'Downloading', current: 5, total: 10 });
    display.onProgress({ id: 'bbbbbbbbbbbb', status: 'Pull complete' });
    display.finish();
    expect(frames.join('')).toBe('bbbbbbbbbbbb: Downloading\nbbbbbbbbbbbb: Pull complete\n');
  });
});

import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openArchiveWriter } from '../../src/image/index.js';

describe('a tar archive writer that fails half way', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsbuild-archive-writer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects the writes after a failed source and an abort, and leaves no file behind', async () => {
    const writer = openArchiveWriter(join(dir, 'out.tar'));
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024));
        this.destroy(new Error('the layer does not match its digest'));
      },
    });
    await expect(writer.addStream('blobs/sha256/x', 1024 * 1024, failing)).rejects.toThrow('does not match');
    await writer.abort();
    // Before the fix this write emitted an 'error' event nobody listened to: an unhandled
    // ERR_STREAM_DESTROYED that ended the process with a stack trace.
    await expect(writer.addFile('index.json', Buffer.from('{}'))).rejects.toThrow(/aborted/);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, 'out.tar'))).toBe(false);
  });
});

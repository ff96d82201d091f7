import { lstatSync, symlinkSync, writeFileSync } from 'node:fs';
import { constants } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { native } from '../../src/native.js';
import { isRoot, tempDir } from './helpers.js';
import { CAPABILITY } from './snapshot-fixture.js';

describe.skipIf(!isRoot)('the native addon', () => {
  it('sets, lists and removes xattrs of every namespace byte-exact', () => {
    const file = path.join(tempDir(), 'f');
    writeFileSync(file, '');
    const binary = Buffer.from([0, 0xff, 0x80, 0x0a]);
    native.lsetxattr(file, 'trusted.overlay.opaque', Buffer.from('y'));
    native.lsetxattr(file, 'security.capability', CAPABILITY);
    native.lsetxattr(file, 'user.bin', binary);
    expect(native.lgetxattrs(file)).toEqual({
      'trusted.overlay.opaque': Buffer.from('y'),
      'security.capability': CAPABILITY,
      'user.bin': binary,
    });
    native.lremovexattr(file, 'user.bin');
    expect(Object.keys(native.lgetxattrs(file)).sort()).toEqual(['security.capability', 'trusted.overlay.opaque']);
  });

  it('works on a symlink itself, not on what it points at', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'target'), '');
    symlinkSync('target', path.join(dir, 'link'));
    native.lsetxattr(path.join(dir, 'link'), 'trusted.mark', Buffer.from('link'));
    native.lutimens(path.join(dir, 'link'), -1, 5);
    expect(native.lgetxattrs(path.join(dir, 'target'))).toEqual({});
    expect(native.lgetxattrs(path.join(dir, 'link'))).toEqual({ 'trusted.mark': Buffer.from('link') });
    expect(lstatSync(path.join(dir, 'link'), { bigint: true }).mtimeNs).toBe(-999_999_995n);
  });

  it('makes devices and fifos, and throws errors with fs-style codes', () => {
    const dir = tempDir();
    native.mknod(path.join(dir, 'wh'), constants.S_IFCHR, 0, 0);
    native.mknod(path.join(dir, 'fifo'), constants.S_IFIFO | 0o600, 0, 0);
    expect(lstatSync(path.join(dir, 'wh')).isCharacterDevice()).toBe(true);
    expect(lstatSync(path.join(dir, 'fifo')).isFIFO()).toBe(true);
    expect(() => native.mknod(path.join(dir, 'wh'), constants.S_IFCHR, 0, 0)).toThrow(expect.objectContaining({ code: 'EEXIST', syscall: 'mknod' }));
    writeFileSync(path.join(dir, 'plain'), '');
    expect(() => native.lremovexattr(path.join(dir, 'plain'), 'user.none')).toThrow(expect.objectContaining({ code: 'ENODATA' }));
    expect(() => native.mknod(path.join(dir, 'file'), constants.S_IFREG, 0, 0)).toThrow(RangeError);
    expect(() => native.lgetxattrs('a\0b')).toThrow(TypeError);
  });
});

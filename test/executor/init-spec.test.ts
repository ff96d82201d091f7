import { describe, expect, it } from 'vitest';
import { encodeInitSpec, escapeOverlayPath, type InitSpec } from '../../src/executor/init-spec.js';
import { parseInitStatus, signalName } from '../../src/executor/init-status.js';

const base: InitSpec = {
  root: '/s/root',
  overlayOptions: 'lowerdir=/l,upperdir=/u,workdir=/w',
  upperdir: '/u',
  staging: '/s/secrets',
  hostname: 'h',
  hostNetwork: false,
  insecure: false,
  args: ['sh', '-c', 'echo "a\nb"'],
  env: ['A=1'],
  cwd: '/',
  user: 'app:staff',
  cgroupProcs: [],
  mounts: [],
};

describe('init spec encoding', () => {
  it('length-prefixes every record so values may hold newlines', () => {
    const text = encodeInitSpec(base).toString();
    expect(text).toContain('arg 10\necho "a\nb"\n');
    expect(text).toContain('user 9\napp:staff\n');
    expect(text).not.toContain('hostnet');
  });

  it('asks for bound host device nodes only when told to (rootless)', () => {
    expect(encodeInitSpec(base).toString()).not.toContain('devbind');
    expect(encodeInitSpec({ ...base, bindHostDevices: true }).toString()).toContain('devbind 1\n1\n');
  });

  it('puts a secret’s bytes last in its record, NULs included', () => {
    const content = Buffer.from([0x61, 0, 0x62]);
    const encoded = encodeInitSpec({ ...base, mounts: [{ kind: 'secret', target: '/run/secrets/x', content, mode: 0o400, uid: 1, gid: 2 }] });
    const expected = Buffer.concat([Buffer.from('s 26\n400\x001\x002\x00/run/secrets/x\x00'), content, Buffer.from('\n')]);
    expect(encoded.subarray(encoded.length - expected.length)).toEqual(expected);
  });

  it('rejects a NUL byte in an argument', () => {
    expect(() => encodeInitSpec({ ...base, args: ['a\0b'] })).toThrow('argument contains a NUL byte');
  });

  it('escapes overlay option separators in paths', () => {
    expect(escapeOverlayPath('/a,b:c\\d')).toBe('/a\\,b\\:c\\\\d');
  });
});

describe('init status parsing', () => {
  it('collects setup traces and the command’s end', () => {
    const raw = Buffer.from('created /run\0created /run/secrets/x\0copyup 755 0 0 /etc\0signal 15\0');
    expect(parseInitStatus(raw)).toEqual({
      traces: { created: ['/run', '/run/secrets/x'], copyups: [{ path: '/etc', mode: 0o755, uid: 0, gid: 0 }] },
      signal: 15,
    });
  });

  it('keeps the first error', () => {
    expect(parseInitStatus(Buffer.from('error unable to find user x\0error later\0')).error).toBe('unable to find user x');
  });

  it('names signals', () => {
    expect(signalName(9)).toBe('SIGKILL');
    expect(signalName(15)).toBe('SIGTERM');
  });
});

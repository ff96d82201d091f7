import { describe, expect, it } from 'vitest';
import { familiarReference, formatReference, normalizeTagName, parseReference } from '../../src/image/reference.js';

describe('docker references', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['user/app', 'docker.io/user/app:latest', 'user/app:latest'],
    ['index.docker.io/library/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['host:5000/a/b:t', 'host:5000/a/b:t', 'host:5000/a/b:t'],
    ['localhost/app', 'localhost/app:latest', 'localhost/app:latest'],
    [`busybox@sha256:${'a'.repeat(64)}`, `docker.io/library/busybox@sha256:${'a'.repeat(64)}`, `busybox@sha256:${'a'.repeat(64)}`],
  ])('normalizes %s', (text, full, familiar) => {
    const ref = parseReference(text);
    expect(formatReference(ref)).toBe(full);
    expect(familiarReference(ref)).toBe(familiar);
  });

  it.each([
    ['Busybox', 'lowercase'],
    ['a/:x', 'path component'],
    ['app:-bad', 'tags'],
    ['app@sha256:12', 'digest'],
    ['', 'empty'],
  ])('refuses %j, saying why', (text, why) => {
    expect(() => parseReference(text)).toThrow(why);
  });

  it('refuses a digest where a tag name is needed', () => {
    expect(() => normalizeTagName(`busybox@sha256:${'a'.repeat(64)}`)).toThrow('a tag cannot contain a digest');
  });
});

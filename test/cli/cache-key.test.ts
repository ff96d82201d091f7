import { describe, expect, it } from 'vitest';
import { baseKey, canonicalJson, stepKey, type RunKey } from '../../src/solver/cache-key.js';
import type { Platform } from '../../src/platform.js';

const amd64: Platform = { os: 'linux', architecture: 'amd64' };
const arm64: Platform = { os: 'linux', architecture: 'arm64' };
const parent = baseKey({ kind: 'image', imageId: `sha256:${'a'.repeat(64)}` }, amd64);
const run: RunKey = {
  kind: 'run',
  args: ['/bin/sh', '-c', 'make'],
  env: ['PATH=/usr/bin', 'CC=gcc'],
  workdir: '/src',
  user: '',
  network: 'default',
  security: 'sandbox',
  mounts: [],
  files: [],
};

describe('canonicalJson', () => {
  it('gives the same text whatever order the keys were written in', () => {
    expect(canonicalJson({ b: 1, a: 2, c: { z: true, y: null } })).toBe(canonicalJson({ c: { y: null, z: true }, a: 2, b: 1 }));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('sorts keys inside objects nested in arrays', () => {
    expect(canonicalJson([{ target: '/cache', type: 'cache' }, 3])).toBe(canonicalJson([{ type: 'cache', target: '/cache' }, 3]));
    expect(canonicalJson({ m: [{ y: 1, x: 2 }] })).toBe('{"m":[{"x":2,"y":1}]}');
  });

  it('keeps the order of array elements', () => {
    expect(canonicalJson(['a', 'b'])).not.toBe(canonicalJson(['b', 'a']));
  });

  it('sorts keys by code unit, not by locale', () => {
    expect(canonicalJson({ b: 0, B: 0, a: 0, _: 0 })).toBe('{"B":0,"_":0,"a":0,"b":0}');
  });
});

describe('stepKey', () => {
  it('is a sha256 digest that is the same every time for the same inputs', () => {
    const key = stepKey(parent, amd64, run);
    expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(stepKey(parent, amd64, structuredClone(run))).toBe(key);
  });

  it('does not depend on the key order of the step description', () => {
    const reordered: RunKey = {
      files: [],
      mounts: [],
      security: 'sandbox',
      network: 'default',
      user: '',
      workdir: '/src',
      env: run.env,
      args: run.args,
      kind: 'run',
    };
    expect(stepKey(parent, amd64, reordered)).toBe(stepKey(parent, amd64, run));
  });

  it('changes with the parent key', () => {
    const otherParent = baseKey({ kind: 'image', imageId: `sha256:${'b'.repeat(64)}` }, amd64);
    expect(stepKey(otherParent, amd64, run)).not.toBe(stepKey(parent, amd64, run));
  });

  it('changes with the platform, including its variant', () => {
    expect(stepKey(parent, arm64, run)).not.toBe(stepKey(parent, amd64, run));
    const v7: Platform = { os: 'linux', architecture: 'arm', variant: 'v7' };
    const v6: Platform = { os: 'linux', architecture: 'arm', variant: 'v6' };
    expect(stepKey(parent, v7, run)).not.toBe(stepKey(parent, v6, run));
  });

  it('changes with any part of the step', () => {
    const key = stepKey(parent, amd64, run);
    expect(stepKey(parent, amd64, { ...run, args: ['/bin/sh', '-c', 'make install'] })).not.toBe(key);
    expect(stepKey(parent, amd64, { ...run, env: ['PATH=/usr/bin', 'CC=clang'] })).not.toBe(key);
    expect(stepKey(parent, amd64, { ...run, workdir: '/' })).not.toBe(key);
    expect(stepKey(parent, amd64, { ...run, user: 'nobody' })).not.toBe(key);
    expect(stepKey(parent, amd64, { kind: 'workdir', path: '/src', user: '' })).not.toBe(key);
  });

  it('does not mix up the parent and the step', () => {
    // The key hashes a structured document, so moving text between fields cannot collide.
    expect(stepKey('sha256:x', amd64, { kind: 'workdir', path: '/a', user: '' })).not.toBe(
      stepKey('sha256:', amd64, { kind: 'workdir', path: 'x/a', user: '' }),
    );
  });
});

describe('baseKey', () => {
  it('tells scratch, different images and different platforms apart', () => {
    const scratch = baseKey({ kind: 'scratch' }, amd64);
    expect(scratch).toBe(baseKey({ kind: 'scratch' }, { architecture: 'amd64', os: 'linux' }));
    expect(scratch).not.toBe(parent);
    expect(scratch).not.toBe(baseKey({ kind: 'scratch' }, arm64));
  });
});

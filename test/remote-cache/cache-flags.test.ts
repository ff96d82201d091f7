import { describe, expect, it } from 'vitest';
import { parseCacheFrom, parseCacheTo } from '../../src/cli/flag-values.js';
import { UsageError } from '../../src/errors.js';

describe('--cache-to', () => {
  it('reads a registry export, with mode=min by default', () => {
    expect(parseCacheTo('type=registry,ref=reg.example:5000/app:cache')).toEqual({ type: 'registry', ref: 'reg.example:5000/app:cache', mode: 'min' });
  });

  it('reads a local export with mode=max', () => {
    expect(parseCacheTo('type=local,dest=/ci/cache,mode=max')).toEqual({ type: 'local', dest: '/ci/cache', mode: 'max' });
  });

  it('takes a bare reference as a registry export, as buildx does', () => {
    expect(parseCacheTo('reg.example/app:cache')).toEqual({ type: 'registry', ref: 'reg.example/app:cache', mode: 'min' });
  });

  it('accepts the BuildKit fields that describe what tsbuild always writes', () => {
    expect(parseCacheTo('type=registry,ref=r/a:c,mode=max,image-manifest=true,oci-mediatypes=true')).toEqual({
      type: 'registry',
      ref: 'r/a:c',
      mode: 'max',
    });
  });

  it('refuses an unknown mode, type or field, and a missing destination, as usage errors', () => {
    expect(() => parseCacheTo('type=registry,ref=r/a:c,mode=all')).toThrow(/mode=all is unknown; use min or max/);
    expect(() => parseCacheTo('type=gha')).toThrow(/type=gha is unknown; use registry or local/);
    expect(() => parseCacheTo('type=local,dest=/x,compression=zstd')).toThrow(/compression=zstd is not supported for type=local; it takes dest, mode/);
    expect(() => parseCacheTo('type=registry,ref=r/a:c,image-manifest=false')).toThrow(UsageError);
    expect(() => parseCacheTo('type=local,mode=max')).toThrow(/type=local needs dest=DIR/);
  });
});

describe('--cache-from', () => {
  it('reads registry and local imports', () => {
    expect(parseCacheFrom('type=registry,ref=r/a:c')).toEqual({ type: 'registry', ref: 'r/a:c' });
    expect(parseCacheFrom('type=local,src=/ci/cache')).toEqual({ type: 'local', src: '/ci/cache' });
    expect(parseCacheFrom('r/a:c')).toEqual({ type: 'registry', ref: 'r/a:c' });
  });

  it('refuses a mode (imports have none) and a local import without src', () => {
    expect(() => parseCacheFrom('type=registry,ref=r/a:c,mode=max')).toThrow(/mode=max is not supported for type=registry; it takes ref/);
    expect(() => parseCacheFrom('type=local,dest=/x')).toThrow(/dest=\/x is not supported/);
    expect(() => parseCacheFrom('type=local')).toThrow(/type=local needs src=DIR/);
  });
});

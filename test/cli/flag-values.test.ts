import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  parseByteSize,
  parseCacheFrom,
  parseCacheTo,
  parseCsvFields,
  parseKeyValues,
  parseOutput,
  parseSecret,
  parseSsh,
} from '../../src/cli/flag-values.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('parseKeyValues', () => {
  it('splits each NAME=VALUE at the first equals sign', () => {
    expect(parseKeyValues('--build-arg', ['A=1', 'B=x=y', 'C='], false)).toEqual({ A: '1', B: 'x=y', C: '' });
  });

  it('lets a later value of the same name win', () => {
    expect(parseKeyValues('--label', ['k=old', 'k=new'], false)).toEqual({ k: 'new' });
  });

  it('takes the value of a bare NAME from the environment when allowed', () => {
    vi.stubEnv('TSBUILD_TEST_ARG', 'from-env');
    expect(parseKeyValues('--build-arg', ['TSBUILD_TEST_ARG'], true)).toEqual({ TSBUILD_TEST_ARG: 'from-env' });
  });

  it('keeps an empty environment value rather than dropping the name', () => {
    vi.stubEnv('TSBUILD_TEST_EMPTY', '');
    expect(parseKeyValues('--build-arg', ['TSBUILD_TEST_EMPTY'], true)).toEqual({ TSBUILD_TEST_EMPTY: '' });
  });

  it('drops a bare NAME that is not set in the environment', () => {
    delete process.env.TSBUILD_TEST_UNSET;
    expect(parseKeyValues('--build-arg', ['TSBUILD_TEST_UNSET', 'X=1'], true)).toEqual({ X: '1' });
  });

  it('refuses a bare NAME when the flag does not read the environment', () => {
    expect(() => parseKeyValues('--label', ['justname'], false)).toThrow(UsageError);
    expect(() => parseKeyValues('--label', ['justname'], false)).toThrow('--label "justname" has no value; write --label justname=VALUE');
  });

  it('refuses an empty name before the equals sign, naming the flag', () => {
    for (const fromEnv of [true, false]) {
      expect(() => parseKeyValues('--build-arg', ['=value'], fromEnv)).toThrow(UsageError);
      expect(() => parseKeyValues('--build-arg', ['=value'], fromEnv)).toThrow(
        '--build-arg "=value": the name before "=" is empty; write --build-arg NAME=VALUE',
      );
    }
  });

  it('returns an empty record for no values', () => {
    expect(parseKeyValues('--build-arg', [], true)).toEqual({});
  });
});

describe('parseCsvFields', () => {
  it('lowercases and trims keys but keeps values as written', () => {
    const fields = parseCsvFields('--output', ' Type=Local,DEST=Out Dir,,');
    expect([...fields]).toEqual([
      ['type', 'Local'],
      ['dest', 'Out Dir'],
    ]);
  });

  it('refuses a part that is not KEY=VALUE', () => {
    expect(() => parseCsvFields('--output', 'type=local,oops')).toThrow('--output "type=local,oops": "oops" is not KEY=VALUE');
    expect(() => parseCsvFields('--output', '=x')).toThrow(UsageError);
  });
});

describe('parseOutput', () => {
  it('reads a value without "=" as a local directory', () => {
    expect(parseOutput('out')).toEqual({ type: 'local', dest: 'out' });
    expect(parseOutput('/tmp/some dir')).toEqual({ type: 'local', dest: '/tmp/some dir' });
  });

  it('reads a single field not starting with type= as a directory even when it holds "=", as buildx does', () => {
    // buildx ParseOutputs: `len(fields) == 1 && fields[0] == s && !strings.HasPrefix(s, "type=")` → local dest.
    expect(parseOutput('out/v=2')).toEqual({ type: 'local', dest: 'out/v=2' });
  });

  it('refuses -o - because a tar on stdout is not supported', () => {
    expect(() => parseOutput('-')).toThrow(UsageError);
    expect(() => parseOutput('-')).toThrow('-o - (tar on stdout) is not supported; write -o type=tar,dest=FILE');
  });

  it('parses each file-writing type with its dest', () => {
    for (const type of ['docker', 'oci', 'tar', 'local'] as const) {
      expect(parseOutput(`type=${type},dest=out/${type}`)).toEqual({ type, dest: `out/${type}` });
    }
  });

  it('defaults the type to local when fields are given without type=', () => {
    expect(parseOutput('dest=build,platform-split=false')).toEqual({ type: 'local', dest: 'build' });
  });

  it('requires dest for every file-writing type', () => {
    for (const type of ['docker', 'oci', 'tar', 'local']) {
      expect(() => parseOutput(`type=${type}`)).toThrow(UsageError);
      expect(() => parseOutput(`type=${type}`)).toThrow(`--output type=${type} needs dest=PATH`);
      expect(() => parseOutput(`type=${type},dest=`)).toThrow(`--output type=${type} needs dest=PATH`);
    }
  });

  it('parses type=image with push only when push=true', () => {
    expect(parseOutput('type=image')).toEqual({ type: 'image', push: false });
    expect(parseOutput('type=image,push=true')).toEqual({ type: 'image', push: true });
    expect(parseOutput('type=image,push=false')).toEqual({ type: 'image', push: false });
  });

  it('parses type=registry without a dest', () => {
    expect(parseOutput('type=registry')).toEqual({ type: 'registry' });
  });

  it('refuses an unknown type and lists the known ones', () => {
    expect(() => parseOutput('type=cacheonly')).toThrow(UsageError);
    expect(() => parseOutput('type=cacheonly')).toThrow('--output type=cacheonly is unknown; use image, docker, oci, tar, local or registry');
  });
});

describe('parseSecret', () => {
  it('reads id and src as a file secret', () => {
    expect(parseSecret('id=npmrc,src=/home/me/.npmrc')).toEqual({ id: 'npmrc', src: '/home/me/.npmrc' });
  });

  it('accepts source as a spelling of src', () => {
    expect(parseSecret('id=key,source=./key.pem')).toEqual({ id: 'key', src: './key.pem' });
  });

  it('reads id and env as an environment secret', () => {
    expect(parseSecret('id=token,env=GITHUB_TOKEN')).toEqual({ id: 'token', env: 'GITHUB_TOKEN' });
  });

  it('reads a bare id from the environment variable of the same name', () => {
    expect(parseSecret('id=API_KEY')).toEqual({ id: 'API_KEY', env: 'API_KEY' });
  });

  it('reads src as the variable name when type=env, as buildx does', () => {
    // buildx parseSecret: `if typ == "env" && fs.Env == "" { fs.Env = fs.FilePath; fs.FilePath = "" }`.
    expect(parseSecret('type=env,id=token,src=GITHUB_TOKEN')).toEqual({ id: 'token', env: 'GITHUB_TOKEN' });
  });

  it('requires an id', () => {
    expect(() => parseSecret('src=/etc/key')).toThrow(UsageError);
    expect(() => parseSecret('src=/etc/key')).toThrow('--secret "src=/etc/key" needs id=NAME');
  });

  it('refuses a field that is not KEY=VALUE', () => {
    expect(() => parseSecret('id=a,bogus')).toThrow(UsageError);
  });
});

describe('parseSsh', () => {
  it('reads a bare id with no paths, for the default agent', () => {
    expect(parseSsh('default')).toEqual({ id: 'default', paths: [] });
  });

  it('reads the paths after "=" as a comma-separated list', () => {
    expect(parseSsh('default=/run/agent.sock')).toEqual({ id: 'default', paths: ['/run/agent.sock'] });
    expect(parseSsh('gh=/home/me/.ssh/id_ed25519,/home/me/.ssh/id_rsa')).toEqual({
      id: 'gh',
      paths: ['/home/me/.ssh/id_ed25519', '/home/me/.ssh/id_rsa'],
    });
  });

  it('splits at the first "=" only and skips empty paths', () => {
    expect(parseSsh('x=/a=b,,/c')).toEqual({ id: 'x', paths: ['/a=b', '/c'] });
    expect(parseSsh('x=')).toEqual({ id: 'x', paths: [] });
  });
});

describe('parseByteSize', () => {
  it('reads plain bytes and k, m, g suffixes in powers of 1024, with or without a trailing b', () => {
    expect(parseByteSize('--memory', '1048576')).toBe(1_048_576);
    expect(parseByteSize('--memory', '512k')).toBe(512 * 1024);
    expect(parseByteSize('--memory', '512m')).toBe(512 * 1024 ** 2);
    expect(parseByteSize('--memory', '2G')).toBe(2 * 1024 ** 3);
    expect(parseByteSize('--memory', '64mb')).toBe(64 * 1024 ** 2);
    expect(parseByteSize('--memory', '100b')).toBe(100);
  });

  it('accepts a fraction and rounds to whole bytes', () => {
    expect(parseByteSize('--memory', '1.5g')).toBe(1.5 * 1024 ** 3);
    expect(parseByteSize('--memory', '0.1k')).toBe(102);
  });

  it('refuses what is not a size, naming the flag', () => {
    for (const bad of ['', 'lots', '-1m', '1x', 'm']) {
      expect(() => parseByteSize('--memory', bad)).toThrow(UsageError);
    }
    expect(() => parseByteSize('--memory', 'lots')).toThrow('--memory "lots" is not a size; write e.g. 512m or 2g');
  });
});

describe('parseCacheTo', () => {
  it('reads a registry export with its mode, min by default', () => {
    expect(parseCacheTo('type=registry,ref=reg.lan/app:cache')).toEqual({ type: 'registry', ref: 'reg.lan/app:cache', mode: 'min' });
    expect(parseCacheTo('type=registry,ref=reg.lan/app:cache,mode=max')).toEqual({ type: 'registry', ref: 'reg.lan/app:cache', mode: 'max' });
  });

  it('reads a bare reference as a registry export, as buildx does', () => {
    expect(parseCacheTo('reg.lan/app:cache')).toEqual({ type: 'registry', ref: 'reg.lan/app:cache', mode: 'min' });
  });

  it('reads a local export with its dest', () => {
    expect(parseCacheTo('type=local,dest=/tmp/cache,mode=max')).toEqual({ type: 'local', dest: '/tmp/cache', mode: 'max' });
  });

  it('accepts image-manifest and oci-mediatypes only when true', () => {
    expect(parseCacheTo('type=registry,ref=r/a:c,image-manifest=true,oci-mediatypes=true')).toEqual({ type: 'registry', ref: 'r/a:c', mode: 'min' });
    expect(() => parseCacheTo('type=registry,ref=r/a:c,oci-mediatypes=false')).toThrow(
      '--cache-to "type=registry,ref=r/a:c,oci-mediatypes=false": oci-mediatypes=false is not supported for type=registry; it takes ref, mode',
    );
  });

  it('refuses a missing ref or dest, an unknown mode, type or field', () => {
    expect(() => parseCacheTo('type=registry,mode=max')).toThrow('--cache-to type=registry needs ref=REGISTRY/NAME:TAG');
    expect(() => parseCacheTo('type=local')).toThrow('--cache-to type=local needs dest=DIR');
    expect(() => parseCacheTo('type=local,dest=d,mode=all')).toThrow('--cache-to mode=all is unknown; use min or max');
    expect(() => parseCacheTo('type=gha')).toThrow('--cache-to type=gha is unknown; use registry or local');
    expect(() => parseCacheTo('type=local,src=d')).toThrow(UsageError);
  });
});

describe('parseCacheFrom', () => {
  it('reads a registry import, also from a bare reference', () => {
    expect(parseCacheFrom('type=registry,ref=reg.lan/app:cache')).toEqual({ type: 'registry', ref: 'reg.lan/app:cache' });
    expect(parseCacheFrom('reg.lan/app:cache')).toEqual({ type: 'registry', ref: 'reg.lan/app:cache' });
  });

  it('reads a local import from src', () => {
    expect(parseCacheFrom('type=local,src=/tmp/cache')).toEqual({ type: 'local', src: '/tmp/cache' });
  });

  it('refuses export-only fields and missing sources', () => {
    expect(() => parseCacheFrom('type=registry,ref=r/a:c,mode=max')).toThrow(UsageError);
    expect(() => parseCacheFrom('type=local,dest=/tmp/cache')).toThrow(UsageError);
    expect(() => parseCacheFrom('type=local')).toThrow('--cache-from type=local needs src=DIR');
  });
});

// File names that are not UTF-8 survive a build byte for byte: the context walk, the COPY
// checksum, the copier, RUN's diff, the layer tar (PAX headers), save and load.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeName, encodeName } from '../../src/byte-names.js';
import { e2eEnv, repo, tsbuild, type E2eEnv } from './helpers.js';

const ODD = [
  Buffer.from('lat1-\xe9', 'latin1'),
  Buffer.from('bad-\xff\xfe', 'latin1'),
  Buffer.from('half-\xc3', 'latin1'),
  Buffer.from('surrogate-\xed\xa0\x80', 'latin1'),
  Buffer.from('overlong-\xc0\xaf', 'latin1'),
  Buffer.from('long-' + '\xe4'.repeat(100), 'latin1'), // 105 bytes, 305 once each byte became U+FFFD
  Buffer.from('utf8-é nl\nname'),
  Buffer.from('emoji-😀'),
];

/** Every entry name of a tar file, as raw bytes written `\xNN` by Python's surrogateescape. */
function tarNames(file: string): string[] {
  const script = `import sys,tarfile,json
t=tarfile.open(sys.argv[1],encoding='utf-8',errors='surrogateescape')
print(json.dumps([n.encode('utf-8','surrogateescape').hex() for n in t.getnames()]))`;
  const hex: string[] = JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }));
  return hex.map((h) => Buffer.from(h, 'hex').toString('latin1'));
}

describe('names that are not UTF-8', () => {
  let env: E2eEnv;
  beforeAll(async () => {
    env = await e2eEnv('odd-names');
    const ctx = Buffer.from(env.context);
    for (const name of ODD) writeFileSync(Buffer.concat([ctx, Buffer.from('/'), name]), name);
    const dir = Buffer.concat([ctx, Buffer.from('/dir-\xe9', 'latin1')]);
    mkdirSync(dir);
    writeFileSync(Buffer.concat([dir, Buffer.from('/in-\xf0', 'latin1')]), 'x');
  }, 120_000);
  afterAll(() => env?.dispose());

  it('decodes and encodes every byte string back to itself', () => {
    for (const name of [...ODD, Buffer.from([0x80, 0xff, 0xf4, 0x90, 0x80, 0x80, 0xe0, 0x80])]) {
      expect(encodeName(decodeName(name)).equals(name)).toBe(true);
    }
    expect(decodeName(Buffer.from('\xff', 'latin1'))).not.toBe(decodeName(Buffer.from('\xfe', 'latin1')));
  });

  it('copies every name into the layer tar, and save/load keeps them', () => {
    const out = join(env.work, 'out.tar');
    const built = tsbuild(['build', '-q', '-t', 'odd', '-o', `type=tar,dest=${out}`, env.context], { root: env.root });
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    const names = tarNames(out);
    for (const name of ODD) expect(names).toContain(`ctx/${name.toString('latin1')}`);
    expect(names).toContain('ctx/dir-\xe9/in-\xf0');
    expect(names).toContain('made-\xff\xfe');
    expect(names).toContain('made-\xc3');

    const built2 = tsbuild(['build', '-q', '-t', 'odd', env.context], { root: env.root });
    expect(built2.status).toBe(0);
    const saved = join(env.work, 'saved.tar');
    expect(tsbuild(['save', '-o', saved, 'odd'], { root: env.root }).status).toBe(0);
    const other = join(env.work, 'other-root');
    const loaded = tsbuild(['load', '-q', '-i', saved], { root: other });
    expect(loaded.stderr).toBe('');
    const ls = tsbuild(['run', '--rm', 'odd', 'sh', '-c', 'for f in /ctx/*; do echo "$f"; done | od -v -An -tx1 | tr -d " \\n"'], { root: other });
    const listed = Buffer.from(ls.stdout.trim(), 'hex').toString('latin1').split('\n');
    for (const name of ODD) expect(listed.join('\n')).toContain(name.toString('latin1'));
  });

  it('keeps every name of a context given as a tar on stdin', () => {
    const out = join(env.work, 'stdin-out.tar');
    const tar = execFileSync('tar', ['-C', env.context, '-cf', '-', '.']);
    const built = spawnSync(process.execPath, [join(repo, 'bin/tsbuild'), 'build', '-q', '-o', `type=tar,dest=${out}`, '-'], {
      env: { ...process.env, TSBUILD_ROOT: env.root },
      input: tar,
    });
    expect(built.stderr.toString()).toBe('');
    expect(built.status).toBe(0);
    const names = tarNames(out);
    for (const name of ODD) expect(names).toContain(`ctx/${name.toString('latin1')}`);
    expect(names).toContain('ctx/dir-\xe9/in-\xf0');
  });

  it('gives names that differ in one byte different cache keys', () => {
    const first = tsbuild(['build', '--progress', 'plain', env.context], { root: env.root });
    expect(first.stderr).toMatch(/COPY \. \/ctx\/\n#\d+ CACHED/);
    const ctx = Buffer.from(env.context);
    renameSync(Buffer.concat([ctx, Buffer.from('/bad-\xff\xfe', 'latin1')]), Buffer.concat([ctx, Buffer.from('/bad-\xfe\xff', 'latin1')]));
    const second = tsbuild(['build', '--progress', 'plain', env.context], { root: env.root });
    expect(second.status).toBe(0);
    expect(second.stderr).not.toMatch(/COPY \. \/ctx\/\n#\d+ CACHED/);
  });
});

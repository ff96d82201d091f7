// The real-world suite (`npm run test:realworld`): Dockerfiles of public projects, listed in
// testdata/realworld/SOURCES.md, built with no network flag on base images this suite makes
// itself (Debian bookworm by debootstrap, Node from this machine's node, busybox), so their
// RUN steps reach Debian's archive and the npm registry through the default network. Each must
// build, rebuild with every step cached to the same image ID, and run.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../src/api.js';
import { busyboxRootfsDir } from '../helpers/busybox-rootfs.js';
import { repo, tsbuild } from '../e2e/helpers.js';

interface Case {
  /** Directory under testdata/realworld: the build context with its Dockerfile. */
  dir: string;
  buildArgs?: Record<string, string>;
  /** `tsbuild run IMAGE …` arguments after the image, and what it must print. */
  run: string[];
  expected: string | RegExp;
  /** A second check, run with `-u root`. */
  alsoAsRoot?: { run: string[]; expected: string };
  /** What it must print on stderr; default nothing. */
  stderr?: RegExp;
}

const cases: Case[] = [
  {
    dir: 'voting-result',
    run: [
      'sh',
      '-c',
      "command -v nodemon; node -e \"for (const m of ['express', 'pg', 'socket.io', 'stoppable']) require(m); console.log('modules ok')\"",
    ],
    expected: '/usr/local/bin/nodemon\nmodules ok\n',
    // `tsbuild run` keeps its init as PID 1, so the image's tini entrypoint is PID 2 and says so.
    stderr: /^\[WARN {2}tini \(2\)\] Tini is not running as PID 1/,
  },
  {
    dir: 'buildpack-deps-curl',
    run: ['sh', '-c', 'curl --version | head -n 1; for t in wget gpg sq; do command -v $t; done'],
    expected: /^curl 7\.88\.\d+ .*\n\/usr\/bin\/wget\n\/usr\/bin\/gpg\n\/usr\/bin\/sq\n$/,
  },
  {
    dir: 'kaniko-cache-install',
    run: ['sh', '-c', 'make --version | head -n 1; pwd; cat foo; ls /context'],
    expected: 'GNU Make 4.3\n/foo\nhey\nbam\nbat\nbaz\n',
  },
  {
    dir: 'kaniko-user-run',
    run: ['sh', '-c', 'cat /tmp/foo; id newuser; cat /home/newuser/file'],
    expected: 'hey\nhey2\nuid=1001(newuser) gid=1002(newuser) groups=1002(newuser)\nhi\n',
  },
  { dir: 'kaniko-daemons', run: ['sh', '-c', 'ls / | grep -c "^file" || true'], expected: '0\n' },
  {
    dir: 'kaniko-run',
    buildArgs: { file: '/file' },
    // $HOME is no ENV of the Dockerfile, so COPY's $HOME/foo is /foo; the shell's is /root.
    run: ['sh', '-c', 'cat /etc/foo /etc/bar /file /root/file; test -e /etc/baz || echo no-baz; cat /foo | wc -c'],
    expected: /^hey\nbaz\nrun\ntest home\nno-baz\n\d+\n$/,
  },
  {
    dir: 'kaniko-user-home',
    run: ['sh', '-c', 'id -un; ls /home/john/hello /home/john/world; stat -c %U:%G /home/john/world'],
    expected: 'bob\n/home/john/hello\n/home/john/world\nbob:testgroup\n',
    // The image's USER is bob; root sees the other homes.
    alsoAsRoot: { run: ['ls', '/root/hello', '/home/alice/hello'], expected: '/home/alice/hello\n/root/hello\n' },
  },
  {
    dir: 'kaniko-multistage',
    buildArgs: { file: '/foo2' },
    run: ['sh', '-c', 'head -n 1 /new; ls /foo2; test -s /date && echo dated; echo "$foo"'],
    expected: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nbam\nbat\nbaz\nfoo\ndated\nbar\n',
  },
];

/**
 * node:20 for the suite: Debian bookworm plus this machine's Node 20 and npm, laid out as the
 * official image has them. Where this machine's Node trusts extra CAs (NODE_EXTRA_CA_CERTS,
 * as behind a TLS-inspecting proxy), the image trusts them too, or npm could not reach the
 * registry from here.
 */
async function nodeBase(context: string): Promise<{ context: string; dockerfileText: string }> {
  cpSync(process.execPath, join(context, 'node'));
  cpSync(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm'), join(context, 'npm'), { recursive: true });
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  if (extraCa) cpSync(extraCa, join(context, 'extra-ca.pem'));
  const dockerfileText = [
    'FROM debian:bookworm',
    'COPY node /usr/local/bin/node',
    'COPY npm /usr/local/lib/node_modules/npm',
    ...(extraCa ? ['COPY extra-ca.pem /usr/local/share/node-extra-ca.pem', 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/node-extra-ca.pem'] : []),
    'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && node --version && npm --version',
    'CMD ["node"]',
  ].join('\n');
  return { context, dockerfileText };
}

let base: string;
let root: string;
const timings: string[] = [];

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'tsbuild-realworld-'));
  root = join(base, 'root');
  const started = Date.now();
  const debian = execFileSync('bash', [join(repo, 'scripts/realworld-debian.sh')], { encoding: 'utf8' }).trim();
  const must = (args: string[]): void => {
    const out = tsbuild(args, { root });
    if (out.status !== 0) throw new Error(`tsbuild ${args.join(' ')} failed:\n${out.stderr}`);
  };
  must(['import', debian, '-t', 'debian:bookworm']);
  must(['tag', 'debian:bookworm', 'debian:bookworm-slim']);
  must(['import', busyboxRootfsDir(join(base, 'busybox')), '-t', 'busybox:latest']);
  await build({ ...(await nodeBase(join(base, 'node-context'))), root, tags: ['node:20', 'node:20-slim'] });
  timings.push(`bases ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, 900_000);

afterAll(() => {
  console.log(`real-world suite timings:\n  ${timings.join('\n  ')}`);
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('real-world Dockerfiles', () => {
  for (const c of cases) {
    it(`${c.dir}: builds with the default network, rebuilds fully cached, runs`, async () => {
      const context = join(repo, 'testdata/realworld', c.dir);
      const tag = `realworld-${c.dir}:latest`;
      const options = { context, root, tags: [tag], ...(c.buildArgs ? { buildArgs: c.buildArgs } : {}) };
      const started = Date.now();
      const first = await build(options);
      const built = Date.now();
      const second = await build(options);
      timings.push(`${c.dir}: build ${((built - started) / 1000).toFixed(1)} s, rebuild ${((Date.now() - built) / 1000).toFixed(1)} s`);
      expect(second.steps.filter((s) => !s.cached).map((s) => s.name)).toEqual([]);
      expect(second.imageId).toBe(first.imageId);
      const out = tsbuild(['run', tag, ...c.run], { root });
      if (c.stderr) expect(out.stderr).toMatch(c.stderr);
      else expect(out.stderr).toBe('');
      if (typeof c.expected === 'string') expect(out.stdout).toBe(c.expected);
      else expect(out.stdout).toMatch(c.expected);
      expect(out.status).toBe(0);
      if (c.alsoAsRoot) {
        const asRoot = tsbuild(['run', '-u', 'root', tag, ...c.alsoAsRoot.run], { root });
        expect(asRoot.stderr).toBe('');
        expect(asRoot.stdout).toBe(c.alsoAsRoot.expected);
      }
    }, 900_000);
  }
});

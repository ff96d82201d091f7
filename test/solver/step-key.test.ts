// One row per input a filesystem step reads: the key changes when that input changes, and
// only then. Directories are real (the build context and a named directory context are
// written afresh for every key); stage keys and image IDs come from the row's world.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStatCache, openContext } from '../../src/context/index.js';
import type { CopyStep, RunStep, StepMount, WorkdirStep } from '../../src/frontend/index.js';
import type { ExtraHost } from '../../src/executor/index.js';
import type { NetworkMode } from '../../src/network-mode.js';
import type { Platform } from '../../src/platform.js';
import { baseKey } from '../../src/solver/cache-key.js';
import { parseNamedContext } from '../../src/solver/named-context.js';
import { keyInput, keyOfStep, type KeyContext } from '../../src/solver/step-key.js';

const work = mkdtempSync(join(tmpdir(), 'tsbuild-step-key-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Everything outside the step that a key may depend on. */
interface World {
  context: Record<string, string>;
  /** Files of the named directory context `ctxdir`. */
  named: Record<string, string>;
  stageKeys: Record<number, string>;
  images: Record<string, string>;
  platform: Platform;
  network: NetworkMode;
  extraHosts: ExtraHost[];
  parent: string;
}

type FsStep = RunStep | CopyStep | WorkdirStep;

const amd64: Platform = { os: 'linux', architecture: 'amd64' };

function world(): World {
  return {
    context: { 'app/main.c': 'int main() {}', 'app/util.c': 'util', 'README.md': 'readme' },
    named: { 'lib/a.h': 'a', 'other.txt': 'other' },
    stageKeys: { 0: `sha256:${'1'.repeat(64)}` },
    images: { 'alpine:3': `sha256:${'2'.repeat(64)}`, 'tools:1': `sha256:${'3'.repeat(64)}` },
    platform: amd64,
    network: 'default',
    extraHosts: [],
    parent: baseKey({ kind: 'scratch' }, amd64),
  };
}

function writeTree(root: string, files: Record<string, string>): string {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}

let round = 0;
async function keyOf(w: World, step: FsStep): Promise<string> {
  const dir = join(work, String(round++));
  const context = await openContext({ dir: writeTree(join(dir, 'context'), w.context) });
  writeTree(join(dir, 'named'), w.named);
  const ctx: KeyContext = {
    platform: w.platform,
    network: w.network,
    extraHosts: w.extraHosts,
    context,
    // The path is the same for every key of a row's pair: only the content differs.
    namedContexts: { ctxdir: parseNamedContext('ctxdir', join(dir, 'named')), ctximage: parseNamedContext('ctximage', 'docker-image://tools:1') },
    stageKey: async (index) => w.stageKeys[index] ?? '',
    imageId: async (ref) => w.images[ref] ?? '',
    statCache: () => new MemoryStatCache(),
  };
  return keyOfStep(ctx, step, w.parent);
}

const common = {
  range: { start: { line: 2, character: 0 }, end: { line: 2, character: 10 } },
  text: '',
  display: '',
  createdBy: '',
  env: ['PATH=/usr/bin', 'CC=gcc'],
  workdir: '/src',
  user: '',
  shell: ['/bin/sh', '-c'],
};

function run(mounts: StepMount[] = []): RunStep {
  return {
    ...structuredClone(common),
    kind: 'run',
    args: ['/bin/sh', '-c', 'make'],
    files: [],
    mounts: structuredClone(mounts),
    network: 'default',
    security: 'sandbox',
    devices: [],
    proxyEnv: [],
  };
}

function copy(extra: Partial<CopyStep> = {}): CopyStep {
  return {
    ...structuredClone(common),
    kind: 'copy',
    isAdd: false,
    sources: ['app/main.c'],
    heredocSources: [],
    dest: '/out/',
    link: false,
    exclude: [],
    parents: false,
    keepGitDir: false,
    ...extra,
  };
}

function workdir(): WorkdirStep {
  return { ...structuredClone(common), kind: 'workdir', path: '/work' };
}

const bindContext: StepMount = { type: 'bind', target: '/mnt', source: 'app', readonly: true };
const bindNamed: StepMount = {
  type: 'bind',
  target: '/mnt',
  source: 'lib',
  readonly: true,
  from: 'ctxdir',
  fromBase: { kind: 'context', name: 'ctxdir' },
};
const bindStage: StepMount = { type: 'bind', target: '/mnt', readonly: true, from: 'build', fromBase: { kind: 'stage', index: 0 } };
const bindImage: StepMount = { type: 'bind', target: '/mnt', readonly: true, from: 'alpine:3', fromBase: { kind: 'image', ref: 'alpine:3' } };
const bindNamedImage: StepMount = { type: 'bind', target: '/mnt', readonly: true, from: 'ctximage', fromBase: { kind: 'context', name: 'ctximage' } };
const cache: StepMount = { type: 'cache', target: '/root/.cache', id: 'go', readonly: false, sharing: 'shared', mode: 0o755, uid: 0, gid: 0 };
const cacheSeeded: StepMount = { ...cache, source: 'lib', from: 'ctxdir', fromBase: { kind: 'context', name: 'ctxdir' } };
const secret: StepMount = { type: 'secret', id: 'token', target: '/run/secrets/token', required: false, mode: 0o400, uid: 0, gid: 0 };
const ssh: StepMount = { type: 'ssh', id: 'default', target: '/run/ssh', required: false, mode: 0o600, uid: 0, gid: 0 };

interface Row {
  input: string;
  step: () => FsStep;
  change: (w: World, step: FsStep) => void;
  changes: boolean;
}

const asRun = (s: FsStep): RunStep => s as RunStep;
const asCopy = (s: FsStep): CopyStep => s as CopyStep;
const mount = (s: FsStep, i = 0): StepMount => asRun(s).mounts[i]!;

const rows: Row[] = [
  // Every step: where it sits and what it is built for.
  { input: 'parent key', step: run, change: (w) => (w.parent = baseKey({ kind: 'image', imageId: 'sha256:x' }, amd64)), changes: true },
  { input: 'platform', step: run, change: (w) => (w.platform = { os: 'linux', architecture: 'arm64' }), changes: true },
  { input: 'platform variant', step: copy, change: (w) => (w.platform = { ...w.platform, variant: 'v2' }), changes: true },

  // COPY / ADD from the main context.
  { input: 'COPY: content of a copied context file', step: copy, change: (w) => (w.context['app/main.c'] = 'changed'), changes: true },
  { input: 'COPY: a context file it does not copy', step: copy, change: (w) => (w.context['README.md'] = 'changed'), changes: false },
  {
    input: 'COPY: a new file matching its wildcard',
    step: () => copy({ sources: ['app/*.c'] }),
    change: (w) => (w.context['app/new.c'] = 'n'),
    changes: true,
  },
  { input: 'COPY: the named directory context (unused)', step: copy, change: (w) => (w.named['lib/a.h'] = 'changed'), changes: false },
  { input: 'COPY: source patterns', step: copy, change: (_, s) => (asCopy(s).sources = ['app/util.c']), changes: true },
  { input: 'COPY: dest', step: copy, change: (_, s) => (asCopy(s).dest = '/elsewhere/'), changes: true },
  { input: 'COPY: workdir (relative dest)', step: () => copy({ dest: 'out/' }), change: (_, s) => (asCopy(s).workdir = '/other'), changes: true },
  { input: 'COPY: --chown', step: copy, change: (_, s) => (asCopy(s).chown = '1000:1000'), changes: true },
  { input: 'COPY: --chmod', step: copy, change: (_, s) => (asCopy(s).chmod = '755'), changes: true },
  { input: 'COPY: --link', step: copy, change: (_, s) => (asCopy(s).link = true), changes: true },
  { input: 'COPY: --exclude', step: () => copy({ sources: ['app'] }), change: (_, s) => (asCopy(s).exclude = ['*.h']), changes: true },
  { input: 'COPY: --parents', step: copy, change: (_, s) => (asCopy(s).parents = true), changes: true },
  {
    input: 'COPY: heredoc body',
    step: () => copy({ sources: [], heredocSources: [{ name: 'f', content: 'one', chomp: false }] }),
    change: (_, s) => (asCopy(s).heredocSources[0]!.content = 'two'),
    changes: true,
  },
  { input: 'COPY: env (not read by COPY)', step: copy, change: (_, s) => (s.env = ['A=b']), changes: false },
  { input: 'COPY: user (not read by COPY)', step: copy, change: (_, s) => (s.user = 'nobody'), changes: false },
  { input: 'COPY: network (not read by COPY)', step: copy, change: (w) => (w.network = 'none'), changes: false },
  { input: 'COPY vs ADD', step: copy, change: (_, s) => (asCopy(s).isAdd = true), changes: true },
  {
    // A pinned checksum is the URL's identity: nothing is downloaded to compute the key.
    input: 'ADD: --checksum',
    step: () => copy({ isAdd: true, sources: ['https://example.invalid/a.tgz'], checksum: 'sha256:' + 'a'.repeat(64) }),
    change: (_, s) => (asCopy(s).checksum = 'sha256:' + 'b'.repeat(64)),
    changes: true,
  },
  { input: 'ADD: --unpack', step: () => copy({ isAdd: true }), change: (_, s) => (asCopy(s).unpack = false), changes: true },
  { input: 'ADD: --keep-git-dir', step: () => copy({ isAdd: true }), change: (_, s) => (asCopy(s).keepGitDir = true), changes: true },

  // COPY --from a named directory context, another stage, an image, a named image context.
  {
    input: 'COPY --from=<named dir>: content of a copied file',
    step: () => copy({ sources: ['lib'], from: { kind: 'context', name: 'ctxdir' } }),
    change: (w) => (w.named['lib/a.h'] = 'changed'),
    changes: true,
  },
  {
    input: 'COPY --from=<named dir>: a file it does not copy',
    step: () => copy({ sources: ['lib'], from: { kind: 'context', name: 'ctxdir' } }),
    change: (w) => (w.named['other.txt'] = 'changed'),
    changes: false,
  },
  {
    input: 'COPY --from=<named dir>: the main context',
    step: () => copy({ sources: ['lib'], from: { kind: 'context', name: 'ctxdir' } }),
    change: (w) => (w.context['app/main.c'] = 'changed'),
    changes: false,
  },
  {
    input: 'COPY --from=<stage>: its key',
    step: () => copy({ from: { kind: 'stage', index: 0 } }),
    change: (w) => (w.stageKeys[0] = 'sha256:new'),
    changes: true,
  },
  {
    input: 'COPY --from=<stage>: the main context',
    step: () => copy({ from: { kind: 'stage', index: 0 } }),
    change: (w) => (w.context['app/main.c'] = 'x'),
    changes: false,
  },
  {
    input: 'COPY --from=<image>: its ID',
    step: () => copy({ from: { kind: 'image', ref: 'alpine:3' } }),
    change: (w) => (w.images['alpine:3'] = 'sha256:moved'),
    changes: true,
  },
  {
    input: 'COPY --from=<named image context>: its ID',
    step: () => copy({ from: { kind: 'context', name: 'ctximage' } }),
    change: (w) => (w.images['tools:1'] = 'sha256:moved'),
    changes: true,
  },

  // RUN itself.
  { input: 'RUN: args', step: run, change: (_, s) => (asRun(s).args = ['/bin/sh', '-c', 'make install']), changes: true },
  { input: 'RUN: env', step: run, change: (_, s) => (s.env = ['PATH=/usr/bin', 'CC=clang']), changes: true },
  { input: 'RUN: proxy env', step: run, change: (_, s) => (asRun(s).proxyEnv = ['HTTP_PROXY=http://proxy:3128']), changes: false },
  { input: 'RUN: workdir', step: run, change: (_, s) => (s.workdir = '/'), changes: true },
  { input: 'RUN: user', step: run, change: (_, s) => (s.user = 'nobody'), changes: true },
  { input: 'RUN: --network', step: run, change: (_, s) => (asRun(s).network = 'none'), changes: true },
  { input: 'RUN: the build --network a default step gets', step: run, change: (w) => (w.network = 'none'), changes: true },
  { input: 'RUN: --add-host entries (its /etc/hosts)', step: run, change: (w) => (w.extraHosts = [{ host: 'db', ip: '10.0.0.5' }]), changes: true },
  { input: 'COPY: --add-host entries (not read by COPY)', step: copy, change: (w) => (w.extraHosts = [{ host: 'db', ip: '10.0.0.5' }]), changes: false },
  {
    input: 'RUN --network=none: the build --network',
    step: () => ({ ...run(), network: 'none' }),
    change: (w) => (w.network = 'host'),
    changes: false,
  },
  { input: 'RUN: --security', step: run, change: (_, s) => (asRun(s).security = 'insecure'), changes: true },
  {
    input: 'RUN: heredoc script',
    step: () => ({ ...run(), files: [{ path: '/dev/pipes/x', content: 'echo 1', mode: 0o755 }] }),
    change: (_, s) => (asRun(s).files[0]!.content = 'echo 2'),
    changes: true,
  },
  { input: 'RUN: the main context (no bind)', step: run, change: (w) => (w.context['app/main.c'] = 'changed'), changes: false },

  // RUN --mount=type=bind.
  { input: 'bind from context: a file it shows', step: () => run([bindContext]), change: (w) => (w.context['app/util.c'] = 'changed'), changes: true },
  {
    input: 'bind from context: a file it does not show',
    step: () => run([bindContext]),
    change: (w) => (w.context['README.md'] = 'changed'),
    changes: false,
  },
  { input: 'bind from context: target', step: () => run([bindContext]), change: (_, s) => (mount(s).target = '/elsewhere'), changes: true },
  { input: 'bind: readonly', step: () => run([bindContext]), change: (_, s) => ((mount(s) as { readonly: boolean }).readonly = false), changes: true },
  { input: 'bind from named dir: a file it shows', step: () => run([bindNamed]), change: (w) => (w.named['lib/a.h'] = 'changed'), changes: true },
  {
    input: 'bind from named dir: a file it does not show',
    step: () => run([bindNamed]),
    change: (w) => (w.named['other.txt'] = 'changed'),
    changes: false,
  },
  { input: 'bind from named dir: the main context', step: () => run([bindNamed]), change: (w) => (w.context['app/main.c'] = 'changed'), changes: false },
  { input: 'bind from stage: its key', step: () => run([bindStage]), change: (w) => (w.stageKeys[0] = 'sha256:new'), changes: true },
  { input: 'bind from image: its ID', step: () => run([bindImage]), change: (w) => (w.images['alpine:3'] = 'sha256:moved'), changes: true },
  {
    input: 'bind from named image context: its ID',
    step: () => run([bindNamedImage]),
    change: (w) => (w.images['tools:1'] = 'sha256:moved'),
    changes: true,
  },

  // RUN --mount=type=cache.
  { input: 'cache: id', step: () => run([cache]), change: (_, s) => ((mount(s) as { id: string }).id = 'npm'), changes: true },
  { input: 'cache: sharing', step: () => run([cache]), change: (_, s) => ((mount(s) as { sharing: string }).sharing = 'locked'), changes: true },
  { input: 'cache: mode', step: () => run([cache]), change: (_, s) => ((mount(s) as { mode: number }).mode = 0o700), changes: true },
  { input: 'cache: uid', step: () => run([cache]), change: (_, s) => ((mount(s) as { uid: number }).uid = 1000), changes: true },
  { input: 'cache: the main context', step: () => run([cache]), change: (w) => (w.context['app/main.c'] = 'changed'), changes: false },
  { input: 'cache seeded from named dir: the seed', step: () => run([cacheSeeded]), change: (w) => (w.named['lib/a.h'] = 'changed'), changes: true },

  // RUN --mount=type=tmpfs, secret, ssh.
  {
    input: 'tmpfs: size',
    step: () => run([{ type: 'tmpfs', target: '/tmp' }]),
    change: (_, s) => ((mount(s) as { size?: number }).size = 1024),
    changes: true,
  },
  { input: 'secret: id', step: () => run([secret]), change: (_, s) => ((mount(s) as { id: string }).id = 'other'), changes: true },
  { input: 'secret: target', step: () => run([secret]), change: (_, s) => (mount(s).target = '/token'), changes: true },
  { input: 'secret: env', step: () => run([secret]), change: (_, s) => ((mount(s) as { env?: string }).env = 'TOKEN'), changes: true },
  { input: 'ssh: id', step: () => run([ssh]), change: (_, s) => ((mount(s) as { id: string }).id = 'work'), changes: true },
  { input: 'ssh: required', step: () => run([ssh]), change: (_, s) => ((mount(s) as { required: boolean }).required = true), changes: true },
  { input: 'mount order', step: () => run([bindContext, cache]), change: (_, s) => asRun(s).mounts.reverse(), changes: true },

  // WORKDIR.
  { input: 'WORKDIR: path', step: workdir, change: (_, s) => ((s as WorkdirStep).path = '/srv'), changes: true },
  { input: 'WORKDIR: user', step: workdir, change: (_, s) => (s.user = 'nobody'), changes: true },
  { input: 'WORKDIR: env', step: workdir, change: (_, s) => (s.env = []), changes: false },
  { input: 'WORKDIR: the context', step: workdir, change: (w) => (w.context['app/main.c'] = 'changed'), changes: false },
];

describe('keyOfStep', () => {
  it.each(rows)('$input: the key changes only when it should', async ({ step, change, changes }) => {
    const before = await keyOf(world(), step());
    expect(await keyOf(world(), step())).toBe(before);
    const w = world();
    const s = step();
    change(w, s);
    const after = await keyOf(w, s);
    if (changes) expect(after).not.toBe(before);
    else expect(after).toBe(before);
  });

  it('keeps secret and SSH values out: a mount enters by id, target and mode alone', async () => {
    const w = world();
    const dir = writeTree(join(work, 'secret-ctx'), w.context);
    const ctx: KeyContext = {
      platform: amd64,
      network: 'default',
      extraHosts: [],
      context: await openContext({ dir }),
      namedContexts: {},
      stageKey: async () => '',
      imageId: async () => '',
      statCache: () => new MemoryStatCache(),
    };
    const input = await keyInput(ctx, run([secret, ssh]));
    expect(input.kind === 'run' && input.mounts).toEqual([
      { type: 'secret', id: 'token', target: '/run/secrets/token', env: null, required: false, mode: 0o400, uid: 0, gid: 0 },
      { type: 'ssh', id: 'default', target: '/run/ssh', required: false, mode: 0o600, uid: 0, gid: 0 },
    ]);
  });
});

describe('parseNamedContext', () => {
  it('tells images from directories once, resolving directories to absolute paths', () => {
    expect(parseNamedContext('base', 'docker-image://alpine:3')).toEqual({ kind: 'image', ref: 'alpine:3' });
    expect(parseNamedContext('lib', 'vendor/lib')).toEqual({ kind: 'dir', path: join(process.cwd(), 'vendor/lib') });
    expect(() => parseNamedContext('base', 'docker-image://')).toThrow(/image reference is empty/);
  });
});

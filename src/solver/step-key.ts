import { sha256Hex } from '../fs/index.js';
import { sourceChecksum, type CopySource } from '../copier/index.js';
import type { BuildContext, StatCache } from '../context/index.js';
import type { CopyStep, RunStep, StageBase, StepMount, WorkdirStep } from '../frontend/index.js';
import { assertNever } from '../errors.js';
import type { ExtraHost } from '../executor/index.js';
import type { NetworkMode } from '../network-mode.js';
import type { Platform } from '../platform.js';
import { stepKey, type CacheKey, type MountKey, type SourceKey, type StepKeyInput } from './cache-key.js';
import { copyOptions } from './copy-step.js';
import type { NamedContext } from './named-context.js';

/** What computing a key may look at: the inputs themselves (and a digest cache), never a snapshot or a mount. */
export interface KeyContext {
  platform: Platform;
  /** The build's `--network`, which a step's `default` stands for. */
  network: NetworkMode;
  /** `--add-host` entries, which RUN steps see in /etc/hosts. */
  extraHosts: readonly ExtraHost[];
  context: BuildContext;
  namedContexts: Readonly<Record<string, NamedContext>>;
  /** The cache key of a stage's last step (waits for the stage). */
  stageKey(index: number): Promise<CacheKey>;
  /** The ID of an image (pulled or found in the store). */
  imageId(ref: string): Promise<string>;
  /** Digests of a named directory context's files by stat, kept across builds. */
  statCache(dir: string): StatCache;
}

/** The key of a step that changes the filesystem; config-only steps have none. */
export async function keyOfStep(
  ctx: KeyContext,
  step: RunStep | CopyStep | WorkdirStep,
  parentKey: CacheKey,
  /** The platform the step runs for: its stage's (a `FROM --platform` stage may differ from the target). */
  platform: Platform = ctx.platform,
): Promise<CacheKey> {
  return stepKey(parentKey, platform, await keyInput(ctx, step));
}

/** Everything `step` reads, in canonical form. */
export async function keyInput(ctx: KeyContext, step: RunStep | CopyStep | WorkdirStep): Promise<StepKeyInput> {
  switch (step.kind) {
    case 'run':
      return {
        kind: 'run',
        args: step.args,
        env: step.env,
        workdir: step.workdir,
        user: step.user,
        network: step.network === 'default' ? ctx.network : step.network,
        // As in BuildKit's ExecOp; only when given, so keys without --add-host stay as they were.
        ...(ctx.extraHosts.length > 0 ? { extraHosts: ctx.extraHosts } : {}),
        security: step.security,
        mounts: await Promise.all(step.mounts.map((m) => mountKey(ctx, m))),
        files: step.files.map((f) => ({ path: f.path, mode: f.mode, content: sha256Hex(f.content) })),
      };
    case 'copy':
      return copyKey(ctx, step);
    case 'workdir':
      return { kind: 'workdir', path: step.path, user: step.user };
    default:
      return assertNever(step, 'step');
  }
}

async function copyKey(ctx: KeyContext, step: CopyStep): Promise<StepKeyInput> {
  const options = copyOptions(step);
  // The checksum of what matches (names included) comes from the copier's own plan.
  const from = await sourceKey(ctx, step.from, (dir) => sourceChecksum({ ...options, from: dir }));
  const common = {
    sources: step.sources,
    heredocs: step.heredocSources.map((h) => ({ name: h.name, content: h.content })),
    dest: step.dest,
    workdir: step.workdir,
    chown: step.chown ?? null,
    chmod: step.chmod ?? null,
    link: step.link,
    exclude: step.exclude,
    parents: step.parents,
    from,
  };
  return step.isAdd
    ? { kind: 'add', ...common, unpack: step.unpack ?? null, checksum: step.checksum ?? null, keepGitDir: step.keepGitDir }
    : { kind: 'copy', ...common };
}

/**
 * Secrets and SSH sockets enter the key by id and target only, never by content. A bind
 * enters by what it shows; a cache mount by its id and the seed of a new cache dir.
 */
async function mountKey(ctx: KeyContext, m: StepMount): Promise<MountKey> {
  switch (m.type) {
    case 'bind':
      return {
        type: 'bind',
        target: m.target,
        source: m.source ?? '/',
        readonly: m.readonly,
        from: await mountSource(ctx, m.fromBase, m.source),
      };
    case 'cache':
      return {
        type: 'cache',
        target: m.target,
        id: m.id,
        readonly: m.readonly,
        sharing: m.sharing,
        mode: m.mode,
        uid: m.uid,
        gid: m.gid,
        seed: m.fromBase ? await mountSource(ctx, m.fromBase, m.source) : null,
      };
    case 'tmpfs':
      return { type: 'tmpfs', target: m.target, size: m.size ?? null };
    case 'secret':
      return { type: 'secret', id: m.id, target: m.target ?? null, env: m.env ?? null, required: m.required, mode: m.mode, uid: m.uid, gid: m.gid };
    case 'ssh':
      return { type: 'ssh', id: m.id, target: m.target, required: m.required, mode: m.mode, uid: m.uid, gid: m.gid };
    default:
      return assertNever(m, 'mount type');
  }
}

/** A mount's `from`/`source`: a directory by the checksum of the tree at `source`, like a COPY of it. */
function mountSource(ctx: KeyContext, base: StageBase | undefined, source: string | undefined): Promise<SourceKey> {
  return sourceKey(ctx, base, (from) =>
    sourceChecksum({ sources: [source ?? '.'], dest: '/', workdir: '/', link: false, exclude: [], parents: false, from }),
  );
}

/**
 * What a step reads from, by content. A directory (the build context when `base` is
 * undefined, or a named directory context) enters by `checksum` of the part the step reads;
 * a stage by its key and an image by its ID, either of which fixes its whole content.
 */
async function sourceKey(ctx: KeyContext, base: StageBase | undefined, checksum: (dir: CopySource) => Promise<string>): Promise<SourceKey> {
  if (base === undefined) return { kind: 'content', checksum: await checksum({ kind: 'context', context: ctx.context }) };
  switch (base.kind) {
    case 'scratch':
      return { kind: 'scratch' };
    case 'stage':
      return { kind: 'stage', key: await ctx.stageKey(base.index) };
    case 'image':
      return { kind: 'image', id: await ctx.imageId(base.ref) };
    case 'context': {
      const named = namedContext(ctx, base.name);
      return named.kind === 'dir'
        ? { kind: 'content', checksum: await checksum({ kind: 'dir', root: named.path, statCache: ctx.statCache(named.path) }) }
        : { kind: 'image', id: await ctx.imageId(named.ref) };
    }
    default:
      return assertNever(base, 'stage base');
  }
}

function namedContext(ctx: KeyContext, name: string): NamedContext {
  const named = ctx.namedContexts[name];
  if (!named) throw new Error(`named context "${name}" was not given`);
  return named;
}

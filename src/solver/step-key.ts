import { createHash } from 'node:crypto';
import { sourceChecksum } from '../copier/index.js';
import type { RunStep, CopyStep, WorkdirStep, StageBase } from '../frontend/index.js';
import { stepKey, type CacheKey } from './cache-key.js';
import { copyOptions, copySource } from './copy-step.js';
import type { BuildSession } from './session.js';

/** The key of a step that changes the filesystem; config-only steps have none. */
export async function keyOfStep(
  session: BuildSession,
  step: RunStep | CopyStep | WorkdirStep,
  parentKey: CacheKey,
): Promise<CacheKey> {
  const platform = session.options.platform;
  switch (step.kind) {
    case 'run':
      return stepKey(parentKey, platform, {
        kind: 'run',
        args: step.args,
        // Proxy values are deliberately left out: they change how, not what, a step fetches.
        env: step.env,
        workdir: step.workdir,
        user: step.user,
        network: step.network,
        // As in BuildKit's ExecOp; only when given, so keys without --add-host stay as they were.
        ...(session.options.extraHosts.length > 0 ? { extraHosts: session.options.extraHosts } : {}),
        security: step.security,
        mounts: await Promise.all(step.mounts.map((m) => mountKey(session, m))),
        files: (step.files ?? []).map((f) => ({ path: f.path, mode: f.mode, content: sha256(f.content) })),
      });
    case 'copy': {
      const options = copyOptions(step);
      const sources =
        step.from === undefined
          ? await sourceChecksum({ ...options, from: await copySource(session, step) })
          : { from: await baseIdentity(session, step.from), sources: step.sources };
      return stepKey(parentKey, platform, { kind: step.isAdd ? 'add' : 'copy', ...options, sources });
    }
    case 'workdir':
      return stepKey(parentKey, platform, { kind: 'workdir', path: step.path, user: step.user });
  }
}

/**
 * Secrets and SSH sockets enter the key by id and target only, never by content. A mount
 * from another stage or image enters by that source's identity.
 */
async function mountKey(session: BuildSession, mount: RunStep['mounts'][number]): Promise<Record<string, unknown>> {
  const { fromBase: from, ...rest } = mount;
  if (from) return { ...rest, from: await baseIdentity(session, from) };
  if (mount.type !== 'bind') return { ...rest };
  // A bind of the build context is keyed by what it shows, like a COPY of the same path.
  const content = await sourceChecksum({
    sources: [mount.source ?? '.'],
    dest: '/',
    workdir: '/',
    link: false,
    exclude: [],
    parents: false,
    from: { kind: 'context', context: session.context },
  });
  return { ...rest, content };
}

/** What a stage, image or named context is, for a cache key: its key or image ID. */
async function baseIdentity(session: BuildSession, base: StageBase): Promise<string> {
  switch (base.kind) {
    case 'scratch':
      return 'scratch';
    case 'stage': {
      const output = await session.stageOutputs.get(base.index);
      if (!output) throw new Error(`stage ${base.index} was not scheduled`);
      return output.key;
    }
    case 'image':
      return (await session.baseImages.resolve(base.ref)).id;
    case 'context':
      return `context:${base.name}=${session.options.buildContexts[base.name] ?? ''}`;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

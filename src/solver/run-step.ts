import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runSandboxed } from '../executor/index.js';
import type { RunStep } from '../frontend/index.js';
import { BuildStepError } from './errors.js';
import type { VertexInfo } from './events.js';
import { resolveRunMounts } from './run-mounts.js';
import type { RunContext, StepFailure } from './step-context.js';

const TAIL_LINES = 10;

/**
 * Cache mounts with sharing=locked (or private, which tsbuild serves the same way: one writer
 * at a time) are held by one step at a time within this build and, through a file lock, across
 * processes; ids are taken in sorted order so two steps never wait on each other.
 */
function withCacheLocks<T>(ctx: RunContext, step: RunStep, work: () => Promise<T>): Promise<T> {
  const ids = [...new Set(step.mounts.flatMap((m) => (m.type === 'cache' && m.sharing !== 'shared' ? [m.id] : [])))].sort();
  return ids.reduceRight<() => Promise<T>>((inner, id) => () => ctx.withLock(`cache:${id}`, () => ctx.store.withCacheMountLock(id, inner)), work)();
}

/** Runs a RUN step in the sandbox on top of `parent` and commits its upper dir as a snapshot. */
export async function executeRun(ctx: RunContext, step: RunStep, parent: string | null, vertex: VertexInfo, fail: StepFailure): Promise<string> {
  const { store, options } = ctx;
  if (step.security === 'insecure' && !options.allow.includes('security.insecure')) {
    throw fail('RUN --security=insecure needs the security.insecure entitlement: pass --allow security.insecure');
  }
  const network = step.network === 'default' ? options.network : step.network;
  if (network === 'host' && step.network === 'host' && !options.allow.includes('network.host') && options.network !== 'host') {
    throw fail('RUN --network=host needs the network.host entitlement: pass --allow network.host');
  }
  if (step.devices.length > 0) {
    throw fail(`RUN --device is not supported by tsbuild yet (${step.devices.join(', ')}): remove the flag`);
  }
  // Made synchronously (microseconds), as the sandbox's own scratch dir.
  const scratch = mkdtempSync(join(store.tmpDir(), 'run-'));
  let committed = false;
  try {
    const upperdir = join(scratch, 'upper');
    const workdir = join(scratch, 'work');
    mkdirSync(upperdir);
    mkdirSync(workdir);
    const mounts = await resolveRunMounts(ctx, step.mounts, fail);
    for (const file of step.files ?? []) {
      // Heredoc scripts with a shebang run as files: they live on a tmpfs-like scratch bind, never in the layer.
      const hostPath = join(scratch, `heredoc-${mounts.length}`);
      await writeFile(hostPath, file.content, { mode: file.mode });
      mounts.push({ type: 'bind', source: hostPath, target: file.path, readonly: true });
    }
    // --shm-size: a tmpfs of that size over the sandbox's own /dev/shm.
    if (options.shmSize !== undefined) mounts.push({ type: 'tmpfs', target: '/dev/shm', size: options.shmSize });
    const lowerdirs = parent ? store.lowerdirs(parent) : [store.emptyDir()];
    const tail: string[] = [];
    const result = await withCacheLocks(ctx, step, () =>
      runSandboxed({
        rootfs: { lowerdirs, upperdir, workdir, mountCwd: store.root },
        args: step.args,
        env: [...step.env, ...step.proxyEnv],
        cwd: step.workdir,
        user: step.user,
        network,
        extraHosts: options.extraHosts,
        security: step.security,
        mounts,
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.ulimits.length > 0 ? { ulimits: options.ulimits } : {}),
        signal: ctx.signal,
        onOutput: (stream, data) => {
          const text = data.toString('utf8');
          ctx.progress.log(vertex, stream, text);
          tail.push(...text.split('\n').filter((l) => l !== ''));
          if (tail.length > TAIL_LINES) tail.splice(0, tail.length - TAIL_LINES);
        },
      }),
    );
    if (result.exitCode !== 0 || result.signal) {
      const why = result.oomKilled
        ? 'it was killed for running out of memory'
        : result.signal
          ? `killed by signal ${result.signal}`
          : `exit code: ${result.exitCode}`;
      throw new BuildStepError({
        message: `process "${step.args.join(' ')}" did not complete successfully: ${why}`,
        step: vertex.name,
        range: step.range,
        dockerfile: ctx.dockerfile,
        outputTail: tail,
      });
    }
    const { chainId } = await store.commitSnapshot({ parent, dir: upperdir, sourceDateEpoch: options.sourceDateEpoch });
    committed = true;
    return chainId;
  } finally {
    // The commit moved the upper dir into the store, leaving the overlay's empty work dir: gone
    // at once. A failed step's upper dir may hold anything: removed off the event loop.
    if (committed) rmSync(scratch, { recursive: true, force: true });
    else await rm(scratch, { recursive: true, force: true });
  }
}

// "Machines" for the remote cache suites: fresh stores with a copy of testdata/e2e whose
// busybox base comes from one registry image, as CI runners pulling the same base would.
import { build, type BuildEvent, type BuildOptions, type BuildResult } from '../../src/api.js';
import { pullImage, pushImage } from '../../src/registry/index.js';
import { openStore } from '../../src/store/index.js';
import { e2eEnv, tsbuild, type E2eEnv } from '../e2e/helpers.js';

export const EXPECTED_OUTPUT = 'hello from app in /home/app\nmessage v1\nconfig v1\n';

/** Machines made so far, for afterAll to dispose. */
export const machines: E2eEnv[] = [];

/**
 * A fresh store and context. Each e2eEnv imports its own busybox (file times differ, and so do
 * image IDs and every cache key); with `baseRef`, busybox:latest is that registry image instead.
 */
export async function machine(baseRef?: string): Promise<E2eEnv> {
  const env = await e2eEnv('e2e');
  machines.push(env);
  if (baseRef === undefined) return env;
  const store = openStore(env.root);
  try {
    store.tag('busybox:latest', await pullImage(store, baseRef));
  } finally {
    store.close();
  }
  return env;
}

/** Pushes a machine's busybox:latest to `ref`, for other machines to pull. */
export async function shareBase(env: E2eEnv, ref: string): Promise<void> {
  const store = openStore(env.root);
  try {
    await pushImage(store, 'busybox:latest', ref);
  } finally {
    store.close();
  }
}

/** Builds the machine's context as e2e:latest; `logs` joins every vertex's log output. */
export async function buildOn(env: E2eEnv, extra: Partial<BuildOptions>): Promise<{ result: BuildResult; logs: string; events: BuildEvent[] }> {
  const events: BuildEvent[] = [];
  const result = await build({ context: env.context, root: env.root, tags: ['e2e:latest'], onEvent: (e) => events.push(e), ...extra });
  const logs = events.flatMap((e) => (e.type === 'vertex-log' ? [e.data] : [])).join('');
  return { result, logs, events };
}

/** Names of the steps that ran (missed every cache), sorted. */
export const ran = (result: BuildResult): string[] =>
  result.steps
    .filter((s) => !s.cached)
    .map((s) => s.name)
    .sort();

/** What `tsbuild run e2e:latest` prints on the machine; a failed run throws with its stderr. */
export function runImage(env: E2eEnv): string {
  const out = tsbuild(['run', 'e2e:latest'], { root: env.root });
  if (out.status !== 0 || out.stderr !== '') throw new Error(`tsbuild run exited ${out.status}: ${out.stderr}`);
  return out.stdout;
}

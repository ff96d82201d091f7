// build() called by a non-root program: the build runs in a child tsbuild process that is
// root of a user namespace (as the CLI does), and its events and result come back over IPC.
import { packagePath } from '../package-root.js';
import type { BuildResult, BuildOptions, BuildEvent } from '../solver/index.js';
import { RootlessError, spawnInUserNamespace } from '../rootless/index.js';
import { reviveError, type SerializedError } from './relayed-error.js';

/** Not bundled: the CLI never relays, so the worker runs from tsc's output. */
const WORKER = packagePath('dist/api/build-worker.js');

/** Parent → worker. */
export type WorkerRequest = { type: 'build'; options: Omit<BuildOptions, 'onEvent' | 'signal'> } | { type: 'abort' };
/** Worker → parent. */
export type WorkerReply = { type: 'event'; event: BuildEvent } | { type: 'result'; result: BuildResult } | { type: 'error'; error: SerializedError };

export async function buildInUserNamespace(options: BuildOptions): Promise<BuildResult> {
  const { onEvent, signal, ...plain } = options;
  signal?.throwIfAborted();
  const { child, exit } = spawnInUserNamespace([process.execPath, WORKER], { ipc: true });
  let outcome: WorkerReply | undefined;
  child.on('message', (reply: WorkerReply) => {
    if (reply.type === 'event') onEvent?.(reply.event);
    else outcome = reply;
  });
  const abort = (): void => {
    if (child.connected) child.send({ type: 'abort' } satisfies WorkerRequest);
  };
  signal?.addEventListener('abort', abort, { once: true });
  child.send({ type: 'build', options: plain } satisfies WorkerRequest);
  try {
    await exit;
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  if (signal?.aborted) throw signal.reason;
  if (outcome?.type === 'result') return outcome.result;
  if (outcome?.type === 'error') throw reviveError(outcome.error);
  throw new RootlessError('the build in the user namespace ended without a result');
}

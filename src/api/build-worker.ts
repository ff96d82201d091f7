// The child side of buildInUserNamespace: root of the user namespace, it runs the build and
// reports events, then the result or the error, over the IPC channel.
import { runBuild } from '../solver/index.js';
import type { WorkerReply, WorkerRequest } from './build-in-userns.js';
import { serializeError } from './relayed-error.js';

const controller = new AbortController();

function send(reply: WorkerReply): Promise<void> {
  return new Promise((resolve) => process.send!(reply, undefined, {}, () => resolve()));
}

process.on('message', (request: WorkerRequest) => {
  if (request.type === 'abort') controller.abort(new Error('the build was aborted'));
  else void run(request.options);
});

async function run(options: Extract<WorkerRequest, { type: 'build' }>['options']): Promise<void> {
  let reply: WorkerReply;
  try {
    const result = await runBuild({ ...options, signal: controller.signal, onEvent: (event) => void send({ type: 'event', event }) });
    reply = { type: 'result', result };
  } catch (err) {
    reply = { type: 'error', error: serializeError(err) };
  }
  await send(reply);
  process.disconnect();
}

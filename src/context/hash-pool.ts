// Hashes file contents on worker threads so a cold context hash uses every core: SHA-256
// runs on the thread that calls `update`, so streams alone would leave the hashing on one
// core. The worker is plain JavaScript evaluated in place, so it runs the same from
// sources (tsx, vitest) and from dist. Workers are unref'd while idle: a pool that nobody
// closes never keeps the process alive.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { createReadStream } = require('node:fs');
parentPort.on('message', async ({ id, path, prefix }) => {
  try {
    const h = createHash('sha256').update(prefix);
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk);
    parentPort.postMessage({ id, digest: 'sha256:' + h.digest('hex') });
  } catch (err) {
    parentPort.postMessage({ id, error: err && err.message ? err.message : String(err) });
  }
});
`;

interface Task {
  resolve(digest: string): void;
  reject(err: Error): void;
}

interface PoolWorker {
  worker: Worker;
  pending: number;
}

let nextId = 0;
const tasks = new Map<number, Task>();
let pool: PoolWorker[] | null = null;

function startPool(): PoolWorker[] {
  return Array.from({ length: Math.max(1, availableParallelism()) }, () => {
    const slot: PoolWorker = { worker: new Worker(WORKER_SOURCE, { eval: true }), pending: 0 };
    slot.worker.on('message', (msg: { id: number; digest?: string; error?: string }) => {
      const task = tasks.get(msg.id);
      tasks.delete(msg.id);
      if (--slot.pending === 0) slot.worker.unref();
      if (task === undefined) return;
      if (msg.digest !== undefined) task.resolve(msg.digest);
      else task.reject(new Error(msg.error));
    });
    // After the listener: adding a 'message' listener refs the worker's port again.
    slot.worker.unref();
    return slot;
  });
}

/** SHA-256 over `prefix` followed by the file's bytes, as `sha256:<hex>`, on the least busy worker. */
export function hashFileInPool(path: string | Buffer, prefix: string): Promise<string> {
  pool ??= startPool();
  const slot = pool.reduce((a, b) => (b.pending < a.pending ? b : a));
  const id = nextId++;
  return new Promise((resolve, reject) => {
    tasks.set(id, { resolve, reject });
    if (slot.pending++ === 0) slot.worker.ref();
    slot.worker.postMessage({ id, path, prefix });
  });
}

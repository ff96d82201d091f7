import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { Db } from './db.js';
import { processIsAlive, selfStartTime } from '../fs/index.js';

export type LeaseResourceKind = 'snapshot' | 'blob' | 'image' | 'cache-mount';

/** A running task's claim on store content; prune never removes what a live lease holds. */
export interface Lease {
  id: string;
}

/**
 * Leases follow async context: every store call made inside `withLease(fn)` adds what it
 * creates or uses to the lease, so callers never pass the lease around.
 */
export class Leases {
  readonly #db: Db;
  readonly #current = new AsyncLocalStorage<Lease>();

  constructor(db: Db) {
    this.#db = db;
  }

  current(): Lease | undefined {
    return this.#current.getStore();
  }

  /** Records a resource on the current lease, if any. Call inside the transaction that creates it. */
  hold(kind: LeaseResourceKind, key: string): void {
    const lease = this.#current.getStore();
    if (!lease) return;
    this.#db.prepare('INSERT OR IGNORE INTO lease_resources (lease_id, kind, key) VALUES (?, ?, ?)').run(lease.id, kind, key);
  }

  /** Runs fn under a lease, released when fn settles. Nested calls share the outer lease. */
  async withLease<T>(fn: (lease: Lease) => Promise<T>): Promise<T> {
    const outer = this.#current.getStore();
    if (outer) return fn(outer);
    const lease: Lease = { id: randomBytes(12).toString('hex') };
    this.#db.prepare('INSERT INTO leases (id, pid, pid_start, created) VALUES (?, ?, ?, ?)').run(lease.id, process.pid, selfStartTime(), Date.now());
    try {
      return await this.#current.run(lease, () => fn(lease));
    } finally {
      this.#db.prepare('DELETE FROM leases WHERE id = ?').run(lease.id);
    }
  }

  /** Drops leases whose process died (SIGKILL leaves them behind); returns how many. */
  releaseStale(): number {
    const rows = this.#db.prepare('SELECT id, pid, pid_start FROM leases').all() as {
      id: string;
      pid: number;
      pid_start: string;
    }[];
    const dead = rows.filter((r) => !processIsAlive(r.pid, r.pid_start));
    const del = this.#db.prepare('DELETE FROM leases WHERE id = ?');
    this.#db.transaction(() => dead.forEach((r) => del.run(r.id)))();
    return dead.length;
  }
}

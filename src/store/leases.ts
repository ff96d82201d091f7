import { randomBytes } from 'node:crypto';
import type { Db } from './db.js';
import { processIsAlive, selfStartTime } from '../fs/index.js';

export type LeaseResourceKind = 'snapshot' | 'blob' | 'image' | 'cache-mount';

/** A running task's claim on store content; prune never removes what a live lease holds. */
export interface Lease {
  id: string;
}

/**
 * One lease per store handle while any `withLease(fn)` on it runs: every store call made
 * meanwhile adds what it creates or uses to that lease, so callers never pass it around.
 * A handle serves one build or command; overlapping calls share the lease, which ends with
 * the last of them (holding more, never less). Not AsyncLocalStorage: on Node 20 that turns
 * on promise hooks for the whole process, a cost on every await of a build.
 */
export class Leases {
  readonly #db: Db;
  #active: { lease: Lease; users: number } | null = null;

  constructor(db: Db) {
    this.#db = db;
  }

  current(): Lease | undefined {
    return this.#active?.lease;
  }

  /** Records a resource on the current lease, if any. Call inside the transaction that creates it. */
  hold(kind: LeaseResourceKind, key: string): void {
    const lease = this.#active?.lease;
    if (!lease) return;
    this.#db.prepare('INSERT OR IGNORE INTO lease_resources (lease_id, kind, key) VALUES (?, ?, ?)').run(lease.id, kind, key);
  }

  /** Runs fn under this handle's lease, released when the last overlapping call settles. */
  async withLease<T>(fn: (lease: Lease) => Promise<T>): Promise<T> {
    if (this.#active === null) {
      const lease: Lease = { id: randomBytes(12).toString('hex') };
      this.#db.prepare('INSERT INTO leases (id, pid, pid_start, created) VALUES (?, ?, ?, ?)').run(lease.id, process.pid, selfStartTime(), Date.now());
      this.#active = { lease, users: 0 };
    }
    const active = this.#active;
    active.users++;
    try {
      return await fn(active.lease);
    } finally {
      if (--active.users === 0) {
        this.#active = null;
        this.#db.prepare('DELETE FROM leases WHERE id = ?').run(active.lease.id);
      }
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

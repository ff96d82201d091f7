import type { Db } from './db.js';
import type { StorePaths } from './paths.js';
import type { Leases } from './leases.js';

/** What every store module works on: the paths, the database and the lease of the running task. */
export interface StoreContext {
  paths: StorePaths;
  db: Db;
  leases: Leases;
}

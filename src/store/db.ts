import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { MIGRATIONS } from './schema.js';
import { StoreError } from './errors.js';
import { packagePath } from '../package-root.js';

export type Db = Database.Database;

/** Long enough for another process's commit or GC pass; short enough to report a stuck store. */
const BUSY_TIMEOUT_MS = 60_000;

/** better-sqlite3's addon named outright: its own lookup (the `bindings` package) tries a dozen paths first. */
const SQLITE_ADDON = `${dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'))}/build/Release/better_sqlite3.node`;

/** native/sqlite: keeps the WAL between processes instead of checkpointing and deleting it at every close. */
const WAL_EXTENSION = packagePath('build/Release/tsbuild_sqlite.node');

/** Opens meta.db in WAL mode (readers never wait on the writer) and brings the schema up to date. */
export function openDb(path: string): Db {
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS, nativeBinding: SQLITE_ADDON });
  db.loadExtension(WAL_EXTENSION);
  db.pragma('journal_mode = WAL');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // NORMAL is durable across process crashes in WAL mode; blobs and snapshots carry their own fsyncs.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  // Up to date (every open but the first after an upgrade): no write lock to take.
  if (db.pragma('user_version', { simple: true }) === MIGRATIONS.length) return;
  // IMMEDIATE takes the write lock first, so two processes opening a new store do not both migrate.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new StoreError(`store schema version ${version} is newer than this tsbuild understands (${MIGRATIONS.length}); upgrade tsbuild`);
    }
    for (let i = version; i < MIGRATIONS.length; i++) db.exec(MIGRATIONS[i]!);
    if (version !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

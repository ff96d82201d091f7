/*
 * An SQLite extension that better-sqlite3 loads into each meta.db connection
 * (src/store/db.ts). better-sqlite3 exposes neither sqlite3_file_control nor these
 * sqlite3_db_config options, and without them every tsbuild process pays four fsyncs for
 * the WAL's life cycle alone: the last connection to close checkpoints the WAL into the
 * database (fsync WAL, fsync db) and deletes it, and the next process recreates it (fsync
 * WAL header, fsync dir). tsbuild is one short process per command, so a no-op build paid
 * them every time. With the WAL kept and no checkpoint on close, checkpoints happen only
 * when the WAL outgrows SQLite's auto-checkpoint size, during a commit; a crash still
 * leaves a consistent database (the WAL is replayed as before).
 */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

int sqlite3_extension_init(sqlite3 *db, char **error, const sqlite3_api_routines *api) {
  (void)error;
  SQLITE_EXTENSION_INIT2(api);
  int on = 1;
  int rc = sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
  if (rc != SQLITE_OK) return rc;
  return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}

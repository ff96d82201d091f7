import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, resolveStoreRoot } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/schema.js';
import { makeTempStore, type TempStore } from '../helpers/temp-store.js';

describe('store root', () => {
  it('prefers --root, then TSBUILD_ROOT, then XDG_DATA_HOME, then ~/.local/share', () => {
    const env = { TSBUILD_ROOT: '/env/root', XDG_DATA_HOME: '/xdg' };
    expect(resolveStoreRoot({ root: '/flag/root', env })).toBe('/flag/root');
    expect(resolveStoreRoot({ env })).toBe('/env/root');
    expect(resolveStoreRoot({ env: { XDG_DATA_HOME: '/xdg' } })).toBe('/xdg/tsbuild');
    expect(resolveStoreRoot({ env: { XDG_DATA_HOME: 'relative' } })).toBe(join(homedir(), '.local/share/tsbuild'));
    expect(resolveStoreRoot({ env: {} })).toBe(join(homedir(), '.local/share/tsbuild'));
  });
});

describe('meta.db', () => {
  let t: TempStore;
  beforeEach(() => {
    t = makeTempStore();
  });
  afterEach(() => t.dispose());

  it('is in WAL mode with the schema at the latest version', () => {
    const db = new Database(join(t.root, 'meta.db'), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    } finally {
      db.close();
    }
  });

  it('keeps its WAL after the last connection closes, and the next one reads what it holds', () => {
    const root = join(t.work, 'store');
    // Its only connection: a plain SQLite close would checkpoint the WAL and delete it.
    openStore(root).close();
    expect(existsSync(join(root, 'meta.db-wal'))).toBe(true);
    const db = new Database(join(root, 'meta.db'), { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    } finally {
      db.close();
    }
  });

  it('opens again without migrating twice, and refuses a schema from a newer tsbuild', () => {
    openStore(t.root).close();
    const db = new Database(join(t.root, 'meta.db'));
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openStore(t.root)).toThrow(/newer than this tsbuild understands/);
  });
});

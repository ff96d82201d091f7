// A store in a fresh temp dir, removed after the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store/index.js';

export interface TempStore {
  root: string;
  store: Store;
  /** A scratch dir beside the store, for inputs and outputs. */
  work: string;
  dispose(): void;
}

export function makeTempStore(): TempStore {
  const base = mkdtempSync(join(tmpdir(), 'tsbuild-store-'));
  const root = join(base, 'root');
  const work = join(base, 'work');
  const store = openStore(root);
  return {
    root,
    store,
    work,
    dispose() {
      store.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

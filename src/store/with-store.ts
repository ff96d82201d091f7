import { openStore, type Store } from './store.js';
import { releaseReserveIfShort, reportingNoSpace } from './disk-space.js';
import { resolveStoreRoot } from './root.js';

/**
 * Runs a command's work on the store the command line names (--root, $TSBUILD_ROOT or the
 * default), closing it whatever happens. A full disk is reported as such; commands that
 * free space (`freesSpace`) first give back the store's reserve when space is short, so
 * they work even at 0 bytes free.
 */
export async function withStore<T>(values: { root?: unknown }, work: (store: Store) => Promise<T>, opts: { freesSpace?: boolean } = {}): Promise<T> {
  const root = resolveStoreRoot(typeof values.root === 'string' ? { root: values.root } : {});
  return reportingNoSpace(root, async () => {
    if (opts.freesSpace) releaseReserveIfShort(root);
    const store = openStore(root);
    try {
      return await work(store);
    } finally {
      store.close();
    }
  });
}

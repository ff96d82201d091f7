import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export interface StoreRootOptions {
  /** `--root DIR` from the command line; wins over the environment. */
  root?: string;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/** The store directory: --root, else $TSBUILD_ROOT, else $XDG_DATA_HOME/tsbuild (~/.local/share/tsbuild). */
export function resolveStoreRoot(opts: StoreRootOptions = {}): string {
  const env = opts.env ?? process.env;
  if (opts.root) return resolve(opts.root);
  if (env.TSBUILD_ROOT) return resolve(env.TSBUILD_ROOT);
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const dataHome = env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(dataHome, 'tsbuild');
}

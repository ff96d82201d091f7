// Resolves a path inside a root, following symlinks one component at a time. A build
// context is confined: a link that leads out of it is an error (never read). A stage root
// behaves like a chroot: absolute targets start at the root and `..` stops there.
import { join } from 'node:path';
import { lstat, readlinkName } from '../byte-names.js';
import { CopyError } from './errors.js';

/** A path resolved to somewhere outside a confined root. */
export class EscapeError extends Error {
  readonly code = 'escape';
  constructor(
    readonly path: string,
    readonly link: string,
  ) {
    super(`${path} resolves outside the root through the symlink ${link}`);
    this.name = 'EscapeError';
  }
}

export interface ResolveOptions {
  /** Escaping is an error (context) rather than clamped (stage root). */
  confined: boolean;
  /** Follow a symlink in the last component too. */
  followFinal: boolean;
}

const MAX_LINKS = 255;

/** The symlink-free path (relative, '.' for the root) that `rel` designates inside `root`. */
export async function resolveInRoot(root: string, rel: string, opts: ResolveOptions): Promise<string> {
  const pending = rel.split('/').filter((p) => p !== '' && p !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      if (resolved.length === 0 && opts.confined) throw new EscapeError(rel, rel);
      resolved.pop();
      continue;
    }
    const candidate = [...resolved, part].join('/');
    if (pending.length === 0 && !opts.followFinal) {
      resolved.push(part);
      break;
    }
    const st = await lstat(join(root, candidate)).catch(() => null);
    if (st === null || !st.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw new CopyError(`too many levels of symbolic links (ELOOP) resolving ${rel}: a symlink there leads back to itself`);
    const target = await readlinkName(join(root, candidate));
    if (target.startsWith('/')) {
      resolved.length = 0;
      let inner = target;
      if (opts.confined) {
        // A context link may name its own context by absolute path, but nothing else.
        if (target !== root && !target.startsWith(root + '/')) throw new EscapeError(rel, candidate);
        inner = target.slice(root.length);
      }
      pending.unshift(...inner.split('/').filter((p) => p !== '' && p !== '.'));
    } else {
      pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
    }
    // `..` inside a confined target is checked against what it leads out of.
    if (opts.confined) checkConfined(resolved, pending, rel, candidate);
  }
  return resolved.length === 0 ? '.' : resolved.join('/');
}

function checkConfined(resolved: string[], pending: string[], rel: string, link: string): void {
  let depth = resolved.length;
  for (const p of pending) {
    depth += p === '..' ? -1 : 1;
    if (depth < 0) throw new EscapeError(rel, link);
  }
}

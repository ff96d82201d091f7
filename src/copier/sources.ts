// Turns COPY/ADD source strings into the entries to copy: leading `/` and `../` are
// stripped (a source can never name anything outside its root), wildcards are matched one
// path component at a time with Go's filepath.Match, and top-level symlinks are followed
// inside the root. What is matched, and under which name, is decided only here, so the
// copier and the cache key cannot disagree.
import { BadPatternError, goMatch, hasGoMeta, goClean, PatternMatcher } from '../match/index.js';
import { joinRel, type SourceEntry, type SourceFs } from '../context/index.js';
import { CopyError } from './errors.js';
import { EscapeError, resolveInRoot } from './resolve-in-root.js';

/** One matched source entry and where it goes. */
export interface CopyItem {
  /** The source as written, for messages. */
  source: string;
  /** The entry, after following a top-level symlink. */
  entry: SourceEntry;
  /** Path below a directory dest: the matched name, or the kept parents with --parents. */
  under: string;
}

export interface ExpandOptions {
  parents: boolean;
  /** --exclude matcher; wildcard matches are checked by name, contents relative to each item. */
  exclude: PatternMatcher | null;
  /** Wording for "not found" errors: the context vs a stage. */
  where: string;
}

/** Strips a leading `/` and any `../` that would climb out: sources stay inside the root. */
function normalizeSource(source: string): string {
  const cleaned = goClean('/' + source).slice(1);
  return cleaned === '' ? '.' : cleaned;
}

export async function expandSources(fs: SourceFs, sources: string[], opts: ExpandOptions): Promise<CopyItem[]> {
  const items: CopyItem[] = [];
  for (const source of sources) {
    const pivot = opts.parents ? source.indexOf('/./') : -1;
    const keptFrom = pivot >= 0 ? normalizeSource(source.slice(0, pivot)) : '.';
    const rel = normalizeSource(source);
    const wildcard = hasGoMeta(rel);
    // With --parents, `**` spans directories (dockerignore rules); otherwise it is Go's `*`.
    const deep = opts.parents && rel.split('/').includes('**');
    const matches = deep ? await matchAnyDepth(fs, rel, source) : wildcard ? await matchWildcard(fs, rel, source) : [rel];
    for (const match of matches) {
      if (wildcard && opts.exclude?.matches(baseName(match)) === true) continue;
      const entry = await followTopLevel(fs, match, source);
      if (entry === null) {
        if (wildcard) continue;
        throw new CopyError(`${JSON.stringify(source)} not found in ${opts.where}: check the path, and that .dockerignore does not exclude it`);
      }
      const under = opts.parents ? stripPrefix(match, keptFrom) : match === '.' ? '' : baseName(match);
      items.push({ source, entry, under });
    }
  }
  return items;
}

async function followTopLevel(fs: SourceFs, rel: string, source: string): Promise<SourceEntry | null> {
  let real: string;
  try {
    real = await resolveInRoot(fs.root, rel, { confined: fs.confined, followFinal: true });
  } catch (err) {
    if (err instanceof EscapeError) {
      throw new CopyError(
        `cannot copy ${JSON.stringify(source)}: the symlink ${err.link} points outside the build context; copy the target into the context instead`,
        { cause: err },
      );
    }
    throw err;
  }
  return fs.entry(real);
}

/** Matches a wildcard path component by component, listing only visible entries. */
async function matchWildcard(fs: SourceFs, pattern: string, source: string): Promise<string[]> {
  let current = ['.'];
  for (const part of pattern.split('/')) {
    const next: string[] = [];
    for (const base of current) {
      if (!hasGoMeta(part)) {
        next.push(joinRel(base, part));
        continue;
      }
      const dir = await followTopLevel(fs, base, source);
      if (dir === null || dir.type !== 'dir') continue;
      for (const child of await fs.children(dir.rel)) {
        const name = baseName(child.rel);
        let ok: boolean;
        try {
          ok = goMatch(part, name);
        } catch (err) {
          if (err instanceof BadPatternError) {
            throw new CopyError(`invalid wildcard in source ${JSON.stringify(source)}: ${err.message}`, { usage: true, cause: err });
          }
          throw err;
        }
        if (ok) next.push(joinRel(base, name));
      }
    }
    current = next;
  }
  return current;
}

/**
 * Matches a `**` pattern against every visible path below its literal prefix. A matched
 * directory is copied whole, so the walk does not descend into it.
 */
async function matchAnyDepth(fs: SourceFs, pattern: string, source: string): Promise<string[]> {
  let matcher: PatternMatcher;
  try {
    matcher = new PatternMatcher([pattern]);
  } catch (err) {
    throw new CopyError(`invalid wildcard in source ${JSON.stringify(source)}: ${(err as Error).message}`, { usage: true, cause: err });
  }
  const parts = pattern.split('/');
  const literal =
    parts
      .slice(
        0,
        parts.findIndex((p) => hasGoMeta(p)),
      )
      .join('/') || '.';
  const out: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    for (const child of await fs.children(dir)) {
      if (matcher.matches(child.rel)) out.push(child.rel);
      else if (child.type === 'dir') await visit(child.rel);
    }
  };
  const start = await fs.entry(literal);
  if (start?.type === 'dir') await visit(literal);
  return out;
}

function baseName(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

function stripPrefix(rel: string, prefix: string): string {
  if (prefix === '.') return rel === '.' ? '' : rel;
  return rel === prefix ? '' : rel.startsWith(prefix + '/') ? rel.slice(prefix.length + 1) : rel;
}

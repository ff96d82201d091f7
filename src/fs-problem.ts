// Filesystem errors that the input or the machine caused, not tsbuild: a name longer than
// the filesystem takes, a symlink loop, an extended attribute the filesystem refuses. They
// get a sentence (the caller adds the path or entry), never "internal error".

const SENTENCES: Record<string, string> = {
  ENAMETOOLONG: 'file name too long for the filesystem (at most 255 bytes a component, 4096 a path)',
  ELOOP: 'too many levels of symbolic links',
  EOPNOTSUPP: 'the filesystem does not support this extended attribute',
  ENOTSUP: 'the filesystem does not support this extended attribute',
  E2BIG: 'the extended attribute is too large for the filesystem',
  ERANGE: 'the extended attribute is too large for the filesystem',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
};

/** The sentence for a user-caused filesystem error, or undefined for anything else. */
export function fsProblem(err: unknown): string | undefined {
  if (err instanceof RangeError && /too long/.test(err.message)) return `name or value too long (${err.message})`;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && Object.hasOwn(SENTENCES, code) ? SENTENCES[code] : undefined;
}

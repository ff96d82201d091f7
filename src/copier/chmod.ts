// --chmod: octal (`755`) or symbolic (`u=rwX,go=rX`, `+x`, `g=u`), applied to every copied
// file and directory. Symbolic modes follow chmod(1) without a umask: no `who` means all.
import { CopyError } from './errors.js';

/** Computes the new permission bits of an entry from its current mode. */
export type ModeChange = (mode: number, isDir: boolean) => number;

const WHO_BITS: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o0007, a: 0o6777 };
const PERM_BITS: Record<string, number> = { r: 0o444, w: 0o222, x: 0o111, s: 0o6000, t: 0o1000 };

/** Parses a --chmod value; throws a usage CopyError naming the value when it is malformed. */
export function parseChmod(value: string): ModeChange {
  if (/^[0-7]{1,4}$/.test(value)) {
    const mode = parseInt(value, 8);
    return () => mode;
  }
  const clauses = value.split(',').map((c) => parseClause(c, value));
  return (mode, isDir) => clauses.reduce((m, apply) => apply(m, isDir), mode & 0o7777);
}

function parseClause(clause: string, whole: string): ModeChange {
  const m = /^([ugoa]*)((?:[-+=](?:[ugo]|[rwxXst]*))+)$/.exec(clause);
  if (m === null) {
    throw new CopyError(`invalid --chmod=${whole}: use octal (755) or symbolic modes such as u=rwX,go=rX or +x`, { usage: true });
  }
  const who = m[1] === '' ? 'a' : m[1];
  let mask = 0;
  for (const w of who) mask |= WHO_BITS[w];
  const ops = [...m[2].matchAll(/([-+=])([ugo]|[rwxXst]*)/g)].map((o) => ({ op: o[1], perms: o[2] }));
  return (start, isDir) => {
    let mode = start;
    for (const { op, perms } of ops) {
      let bits = 0;
      if (perms.length === 1 && 'ugo'.includes(perms)) {
        // Copy another class's permissions: `g=u`.
        const shift = { u: 6, g: 3, o: 0 }[perms as 'u' | 'g' | 'o'];
        const rwx = (mode >> shift) & 7;
        bits = (rwx << 6) | (rwx << 3) | rwx;
      } else {
        for (const p of perms) {
          if (p === 'X') {
            if (isDir || (start & 0o111) !== 0) bits |= PERM_BITS.x;
          } else bits |= PERM_BITS[p];
        }
      }
      bits &= mask;
      if (op === '+') mode |= bits;
      else if (op === '-') mode &= ~bits;
      else mode = (mode & ~(mask & 0o7777)) | bits;
    }
    return mode;
  };
}

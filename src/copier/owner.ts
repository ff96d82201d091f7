// --chown and USER: `user[:group]`, each a number or a name looked up in the stage's own
// /etc/passwd and /etc/group (never the host's). Without a group, a numeric user gets
// gid = uid and a named user its primary group from /etc/passwd (BuildKit's readUser).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CopyError } from './errors.js';
import { resolveInRoot } from './resolve-in-root.js';

export interface Owner {
  uid: number;
  gid: number;
}

/** Resolves `user[:group]` (default root) against the stage filesystem at `parentRoot`. */
export async function resolveOwner(parentRoot: string | null, spec: string | undefined): Promise<Owner> {
  if (spec === undefined || spec === '') return { uid: 0, gid: 0 };
  const [user, group, ...extra] = spec.split(':');
  if (extra.length > 0 || user === '') {
    throw new CopyError(`invalid --chown=${spec}: use user[:group] with names or numeric ids`, { usage: true });
  }
  let uid: number;
  let primaryGid: number;
  if (isId(user)) uid = primaryGid = checkedId(user, 'user', spec);
  else [uid, primaryGid] = await lookup(parentRoot, '/etc/passwd', user, spec);
  if (group === undefined) return { uid, gid: primaryGid };
  const gid = isId(group) ? checkedId(group, 'group', spec) : (await lookup(parentRoot, '/etc/group', group, spec))[0];
  return { uid, gid };
}

function isId(s: string): boolean {
  return /^[0-9]+$/.test(s);
}

/** Linux ids are 32 bits and 4294967295 means "no id"; anything larger is a typo. */
const MAX_ID = 0xfffffffe;

function checkedId(text: string, kind: 'user' | 'group', chown: string): number {
  const id = Number(text);
  if (id > MAX_ID) {
    throw new CopyError(`invalid --chown=${chown}: ${kind} id ${text} is larger than ${MAX_ID}, the largest Linux id`, { usage: true });
  }
  return id;
}

/** The id (third field) and the fourth field of `name` in a passwd- or group-format file of the stage. */
async function lookup(root: string | null, file: string, name: string, chown: string): Promise<[number, number]> {
  const kind = file.endsWith('passwd') ? 'user' : 'group';
  if (root === null) {
    throw new CopyError(`unable to find ${kind} ${name} for --chown=${chown}: the stage has no ${file} (FROM scratch); use numeric ids`);
  }
  let text: string;
  try {
    text = await readFile(join(root, await resolveInRoot(root, file, { confined: false, followFinal: true })), 'utf8');
  } catch {
    throw new CopyError(`unable to find ${kind} ${name} for --chown=${chown}: the stage has no ${file}; use numeric ids`);
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields.length >= 3 && isId(fields[2])) {
      const id = checkedId(fields[2]!, kind, chown);
      return [id, isId(fields[3] ?? '') ? checkedId(fields[3]!, 'group', chown) : id];
    }
  }
  throw new CopyError(`unable to find ${kind} ${name} for --chown=${chown}: no matching entry in ${file}`);
}

// Describes a directory tree (names, types, modes, owners, sizes, link targets, content
// hashes) so two unpackings of the same image can be compared.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export function describeTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, path));
      const mode = (st.mode & 0o7777).toString(8);
      const owner = `${st.uid}:${st.gid}`;
      if (st.isSymbolicLink()) out[path] = `link ${owner} -> ${readlinkSync(join(root, path))}`;
      else if (st.isDirectory()) {
        out[path] = `dir ${mode} ${owner}`;
        walk(path);
      } else if (st.isFile()) {
        out[path] = `file ${mode} ${owner} ${st.size} ${createHash('sha256')
          .update(readFileSync(join(root, path)))
          .digest('hex')}`;
      } else out[path] = `other ${st.mode.toString(8)} ${owner} ${st.rdev}`;
    }
  };
  walk('');
  return out;
}

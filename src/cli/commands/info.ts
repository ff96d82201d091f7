import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import { probeCapabilities } from '../../rootless/index.js';
import { resolveStoreRoot } from '../../store/index.js';
import type { Command } from '../command.js';

const usage = `usage: tsbuild info [--json]

Shows what the current user can use: root or rootless mode (and what rootless mode still
lacks), overlayfs, cgroup limits, network modes, and the emulators registered in binfmt_misc.

options:
      --json       print it as JSON
      --root DIR   store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

export const command: Command = {
  name: 'info',
  summary: 'Show what this user can use (rootless or root, overlay, cgroups, networks, emulators)',
  usage,
  async run(argv) {
    let values: { json?: boolean; root?: string };
    try {
      ({ values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, root: { type: 'string' } }, strict: true }));
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\n\n${usage}`, { cause: err });
    }
    const caps = await probeCapabilities();
    const store = resolveStoreRoot(values.root !== undefined ? { root: values.root } : {});
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ store, ...caps }, null, 2)}\n`);
      return caps.problems.length > 0 ? 1 : 0;
    }
    const yes = (ok: boolean): string => (ok ? 'yes' : 'no ');
    const lines: string[] = [];
    if (caps.mode === 'root') lines.push('Mode:       root');
    else if (caps.setup) {
      const { uid, user, subuid, subgid } = caps.setup;
      lines.push(
        `Mode:       rootless (${user}, uid ${uid} is root of a user namespace; subordinate uids ${subuid.start}-${subuid.start + subuid.count - 1}, gids ${subgid.start}-${subgid.start + subgid.count - 1})`,
      );
    } else lines.push('Mode:       rootless, not usable yet:', ...caps.problems.map((p) => `  - ${p}`));
    lines.push(`Store:      ${store}`);
    lines.push(`Overlay:    ${yes(caps.overlay.ok)} ${caps.overlay.detail}`);
    lines.push(`Cgroups:    ${yes(caps.cgroups.ok)} ${caps.cgroups.detail}`);
    lines.push(`Networks:   ${caps.networks.join(', ')}`);
    const emulators = caps.emulators.map((e) => `${e.name}${e.enabled ? '' : ' (disabled)'}`);
    lines.push(`Emulators:  ${emulators.length > 0 ? emulators.join(', ') : 'none registered in binfmt_misc'}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return caps.problems.length > 0 ? 1 : 0;
  },
};

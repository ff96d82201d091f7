import { UsageError } from '../../errors.js';
import { logout } from '../../registry/index.js';
import type { Command } from '../command.js';
import { parseFlags, usageHint } from '../parse-flags.js';

const usage = `usage: tsbuild logout HOST

Removes the credentials stored for HOST.`;

export const command: Command = {
  name: 'logout',
  summary: 'Log out from a registry',
  usage,
  async run(argv) {
    const { positionals } = parseFlags(argv, {}, usage);
    const host = positionals[0];
    if (host === undefined || positionals.length !== 1) throw new UsageError(`tsbuild logout needs one HOST\n${usageHint(usage)}`);
    const removed = await logout(host);
    process.stderr.write(removed ? `Removed login credentials for ${host}\n` : `Not logged in to ${host}\n`);
    return 0;
  },
};

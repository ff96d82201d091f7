import { UsageError } from '../../errors.js';
import { logout } from '../../registry/index.js';
import type { Command } from '../command.js';

const usage = `usage: tsbuild logout HOST

Removes the credentials stored for HOST.`;

export const command: Command = {
  name: 'logout',
  summary: 'Log out from a registry',
  usage,
  async run(argv) {
    if (argv.length !== 1 || argv[0]!.startsWith('-')) throw new UsageError(`tsbuild logout needs one HOST\n\n${usage}`);
    const removed = await logout(argv[0]!);
    process.stderr.write(removed ? `Removed login credentials for ${argv[0]}\n` : `Not logged in to ${argv[0]}\n`);
    return 0;
  },
};

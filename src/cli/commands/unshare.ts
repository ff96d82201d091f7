import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { UsageError } from '../../errors.js';
import type { Command } from '../command.js';

const usage = `usage: tsbuild unshare [COMMAND [ARG...]]

Runs COMMAND (default: $SHELL) in the user namespace a rootless tsbuild uses, as its root, like
\`podman unshare\`: files of the store show the image's own owners there, and can be changed or
removed (\`tsbuild unshare rm -rf ~/.local/share/tsbuild\`). As root it just runs COMMAND.`;

export const command: Command = {
  name: 'unshare',
  summary: "Run a command in rootless mode's user namespace",
  usage,
  run(argv) {
    // Reached inside the namespace: main.ts re-executes a non-root user's tsbuild there first.
    const [program = process.env.SHELL ?? '/bin/sh', ...args] = argv;
    return new Promise((resolve, reject) => {
      const child = spawn(program, args, { stdio: 'inherit' });
      child.on('error', (err) => reject(new UsageError(`cannot run ${program}: ${err.message}`, { cause: err })));
      child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
  },
};

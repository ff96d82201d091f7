import { existsSync } from 'node:fs';
import { closest } from '../frontend/instructions/suggest.js';
import type { Command } from './command.js';
import { reportError } from './report-error.js';

/** Subcommands, loaded on demand so `tsbuild --help` stays fast. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  build: async () => (await import('./commands/build.js')).command,
  debug: async () => (await import('./commands/debug.js')).command,
  run: async () => (await import('./commands/run.js')).command,
  images: async () => (await import('./commands/images.js')).command,
  inspect: async () => (await import('./commands/inspect.js')).command,
  history: async () => (await import('./commands/history.js')).command,
  import: async () => (await import('./commands/import.js')).command,
  load: async () => (await import('./commands/load.js')).command,
  save: async () => (await import('./commands/save.js')).command,
  tag: async () => (await import('./commands/tag.js')).command,
  rmi: async () => (await import('./commands/rmi.js')).command,
  pull: async () => (await import('./commands/pull.js')).command,
  push: async () => (await import('./commands/push.js')).command,
  login: async () => (await import('./commands/login.js')).command,
  logout: async () => (await import('./commands/logout.js')).command,
  du: async () => (await import('./commands/du.js')).command,
  prune: async () => (await import('./commands/prune.js')).command,
  fsck: async () => (await import('./commands/fsck.js')).command,
};

const TOP_USAGE = `usage: tsbuild [COMMAND] [OPTIONS]

A daemonless Dockerfile build engine.

  tsbuild -t NAME .          shorthand for \`tsbuild build -t NAME .\`

commands:
`;

async function topHelp(): Promise<string> {
  const lines: string[] = [];
  for (const load of Object.values(COMMANDS)) {
    const c = await load();
    lines.push(`  ${c.name.padEnd(14)} ${c.summary}`);
  }
  return `${TOP_USAGE}${lines.join('\n')}\n\nRun 'tsbuild COMMAND --help' for a command's options.\n`;
}

/** Entry point of the CLI: returns the exit code (0 ok, 1 build failed, 2 usage or Dockerfile error). */
export async function main(argv: string[]): Promise<number> {
  // A reader that stops early (`tsbuild run img | head -1`) is not an error: stop quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(await topHelp());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`tsbuild ${pkg.version}\n`);
    return 0;
  }
  // `tsbuild -t x .` and `tsbuild .` are docker-style shorthands for `tsbuild build …`.
  const [name, args] = Object.hasOwn(COMMANDS, first) ? [first, rest] : ['build', argv];
  if (!Object.hasOwn(COMMANDS, first) && !looksLikeContext(first)) {
    const match = closest(first, Object.keys(COMMANDS), 2);
    process.stderr.write(
      `ERROR: unknown command "${first}"${match === undefined ? '' : ` (did you mean "${match}"?)`}\nRun 'tsbuild --help' for the list of commands.\n`,
    );
    return 2;
  }
  const loader = COMMANDS[name]!;
  const command = await loader();
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (err) {
    return reportError(err);
  }
}

/** A first word that is a flag, `-`, a path or an existing directory starts a build (`tsbuild -t x .`); any other is a typo'd command. */
function looksLikeContext(word: string): boolean {
  return word.startsWith('-') || word.startsWith('.') || word.includes('/') || existsSync(word);
}

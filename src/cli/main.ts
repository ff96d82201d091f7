import { existsSync, readFileSync } from 'node:fs';
import { closest } from '../frontend/index.js';
import type { Command } from './command.js';
import { reportError } from './report-error.js';
import { packagePath } from '../package-root.js';

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
  info: async () => (await import('./commands/info.js')).command,
  unshare: async () => (await import('./commands/unshare.js')).command,
};

/** Commands that need neither the store nor the sandbox, so a non-root user runs them as is. */
const RUN_AS_CALLER = new Set(['debug', 'login', 'logout', 'info']);

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

/**
 * Global flags written before the command (`tsbuild --root DIR inspect x`), split off to be
 * handed to the command, which takes them as its own.
 */
function splitGlobalFlags(argv: string[]): { globals: string[]; argv: string[] } {
  let i = 0;
  while (i < argv.length) {
    if (argv[i] === '--root' && i + 1 < argv.length) i += 2;
    else if (argv[i]!.startsWith('--root=')) i += 1;
    else break;
  }
  return { globals: argv.slice(0, i), argv: argv.slice(i) };
}

/** Entry point of the CLI: returns the exit code (0 ok, 1 build failed, 2 usage or Dockerfile error). */
export async function main(fullArgv: string[]): Promise<number> {
  // A reader that stops early (`tsbuild run img | head -1`) is not an error: stop quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const { globals, argv } = splitGlobalFlags(fullArgv);
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(await topHelp());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string };
    process.stdout.write(`tsbuild ${pkg.version}\n`);
    return 0;
  }
  // `tsbuild -t x .` and `tsbuild .` are docker-style shorthands for `tsbuild build …`.
  const [name, commandArgs] = Object.hasOwn(COMMANDS, first) ? [first, rest] : ['build', argv];
  if (!Object.hasOwn(COMMANDS, first) && !looksLikeContext(first)) {
    const match = closest(first, Object.keys(COMMANDS), 2);
    process.stderr.write(
      `ERROR: unknown command "${first}"${match === undefined ? '' : ` (did you mean "${match}"?)`}\nRun 'tsbuild --help' for the list of commands.\n`,
    );
    return 2;
  }
  const args = [...globals, ...commandArgs];
  const loader = COMMANDS[name]!;
  // `unshare`'s arguments after the first are its command's own.
  const help = (name === 'unshare' ? args.slice(0, 1) : args).some((a) => a === '--help' || a === '-h');
  // A non-root user's tsbuild runs again as root of its own user namespace (rootless mode),
  // before this process loads the command's modules, which only the inner one needs.
  if (!help && !RUN_AS_CALLER.has(name) && process.getuid?.() !== 0 && process.argv[1] !== undefined) {
    try {
      const { runInUserNamespace } = await import('../rootless/reexec.js');
      return await runInUserNamespace(process.argv[1], argv);
    } catch (err) {
      return reportError(err);
    }
  }
  const command = await loader();
  if (help) {
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

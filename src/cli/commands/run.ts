import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { ResolvedMount } from '../../executor/index.js';
import { runImage, type RunOptions } from '../../api.js';
import { parseExtraHost } from '../../executor/index.js';
import { parsePidsLimit } from '../flag-values.js';
import { platformOption } from '../platform-option.js';
import type { Command } from '../command.js';
import { parseFlags, type FlagOptions } from '../parse-flags.js';

const usage = `usage: tsbuild run [OPTIONS] IMAGE [COMMAND [ARG...]]

Run an image from the store in the build sandbox, with its ENTRYPOINT, CMD, USER,
WORKDIR and ENV, so CI can smoke-test an image without a Docker daemon. The
container's filesystem changes are always discarded.

options:
  -i, --interactive        pass stdin to the command
  -t, --tty                run the command on a pseudo-terminal (with -i on a terminal: an
                           interactive shell; keys, Ctrl-C and resizes reach the command;
                           with -i and a stdin that is not a terminal, -t is ignored)
  -e, --env K[=V]          set an environment variable (repeatable; K alone takes $K)
      --env-file FILE      read K=V lines from FILE (repeatable; # comments)
  -v, --volume HOST:CTR[:ro]   bind a host directory or file (writes reach the host unless :ro)
  -u, --user USER[:GROUP]  run as this user instead of the image's USER
  -w, --workdir DIR        working directory instead of the image's WORKDIR
      --entrypoint CMD     override the image's ENTRYPOINT
      --network MODE       default (outbound through slirp4netns), none or host
      --add-host HOST:IP   add an /etc/hosts entry (repeatable; IP host-gateway reaches this machine)
      --pids-limit N       processes and threads the container may have at once (0: no limit)
      --platform OS/ARCH   the platform's image of a multi-platform name; another
                           architecture runs under QEMU user-mode emulation (binfmt_misc)
      --rm, --name NAME    accepted for docker compatibility (nothing is kept, nothing is named)
      --root DIR           store location

-p/--publish is refused: there is no network bridge to publish ports on (use --network host).
`;

const OPTIONS = {
  rm: { type: 'boolean' },
  name: { type: 'string' },
  interactive: { type: 'boolean', short: 'i' },
  tty: { type: 'boolean', short: 't' },
  env: { type: 'string', short: 'e', multiple: true },
  'env-file': { type: 'string', multiple: true },
  volume: { type: 'string', short: 'v', multiple: true },
  publish: { type: 'string', short: 'p', multiple: true },
  user: { type: 'string', short: 'u' },
  workdir: { type: 'string', short: 'w' },
  entrypoint: { type: 'string' },
  network: { type: 'string' },
  'add-host': { type: 'string', multiple: true },
  'pids-limit': { type: 'string' },
  platform: { type: 'string' },
  root: { type: 'string' },
} as const satisfies FlagOptions;

async function run(argv: string[]): Promise<number> {
  const { own, rest: positionals } = splitAtImage(argv, OPTIONS);
  const { values } = parseFlags(own, OPTIONS, usage);
  const [imageName, ...command] = positionals;
  if (!imageName) throw new UsageError('tsbuild run needs an IMAGE; e.g. tsbuild run myapp:latest');
  if (values.publish) {
    throw new UsageError('-p/--publish is not supported: tsbuild has no network bridge to publish ports on; use --network host to share the host network');
  }
  const network = values.network ?? 'default';
  if (network !== 'default' && network !== 'none' && network !== 'host')
    throw new UsageError(`--network ${network} is unknown; use default, none or host`);
  const extraHosts = (values['add-host'] ?? []).map(parseExtraHost);
  const limits = parsePidsLimit(values['pids-limit']);
  const env = [...(await readEnvFiles(values['env-file'] ?? [])), ...(values.env ?? []).flatMap(envEntry)];
  const mounts = await Promise.all((values.volume ?? []).map(volumeMount));
  const interactive = values.interactive ?? false;
  // docker refuses -it when stdin is not a terminal; here the input is passed as with -i alone.
  const terminal = values.tty && (!interactive || process.stdin.isTTY) ? terminalOf(interactive) : undefined;
  // Ctrl-C / SIGTERM stop the container (every process of the sandbox) and clean up, exit 130.
  // With -it on a terminal, Ctrl-C is a key for the command instead (raw mode).
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await runImage({
      image: imageName,
      command,
      ...(values.root !== undefined ? { root: values.root } : {}),
      ...(values.entrypoint !== undefined ? { entrypoint: values.entrypoint === '' ? [] : [values.entrypoint] } : {}),
      env,
      mounts,
      ...(values.user !== undefined ? { user: values.user } : {}),
      ...(values.workdir !== undefined ? { workdir: values.workdir } : {}),
      network,
      extraHosts,
      ...(limits.pids !== undefined ? { limits } : {}),
      ...(values.platform !== undefined ? { platform: platformOption(values.platform) } : {}),
      ...(terminal ? { terminal } : {}),
      // A terminal is never handed to the sandbox (TIOCSTI could type into the host's shell): copy from it.
      stdin: !interactive || terminal ? 'ignore' : process.stdin.isTTY ? process.stdin : 'inherit',
      onOutput: (stream, data) => void (stream === 'stdout' ? process.stdout : process.stderr).write(data),
      signal: stop.signal,
    });
    return result.exitCode;
  } catch (err) {
    if (stop.signal.aborted) return 130;
    throw err;
  } finally {
    terminal?.restore();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `-t`: a pty the size of our terminal; with `-i` on a terminal, keys go through raw (Ctrl-C included). */
function terminalOf(interactive: boolean): NonNullable<RunOptions['terminal']> & { restore: () => void } {
  const out = process.stdout;
  const raw = interactive && process.stdin.isTTY;
  if (raw) process.stdin.setRawMode(true);
  return {
    rows: out.isTTY ? out.rows : 24,
    cols: out.isTTY ? out.columns : 80,
    ...(interactive ? { input: process.stdin } : {}),
    watchResize: (resize) => {
      const onResize = (): void => resize(out.rows, out.columns);
      out.on('resize', onResize);
      return () => void out.off('resize', onResize);
    },
    restore: () => {
      if (raw) process.stdin.setRawMode(false);
      process.stdin.pause();
    },
  };
}

/** `-e NAME` takes NAME from this environment (dropped when unset), as docker does. */
function envEntry(item: string): string[] {
  if (item.startsWith('=')) throw new UsageError(`-e "${item}": the name before "=" is empty`);
  if (item.includes('=')) return [item];
  const value = process.env[item];
  return value === undefined ? [] : [`${item}=${value}`];
}

/** docker's --env-file: `K=V` or `K` lines, `#` comments and blank lines skipped, values taken literally. */
async function readEnvFiles(files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`--env-file ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { cause: err });
    });
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trimStart();
      if (line === '' || line.startsWith('#')) continue;
      out.push(...envEntry(line));
    }
  }
  return out;
}

/** `-v HOST:CTR[:ro|rw]`: a host path bound in; writable ones write through to the host, as docker's do. */
async function volumeMount(spec: string): Promise<ResolvedMount> {
  const parts = spec.split(':');
  const [host, target, mode = 'rw'] = parts;
  if (parts.length < 2 || parts.length > 3 || !host || !target) throw new UsageError(`-v "${spec}": write -v HOST_PATH:CONTAINER_PATH[:ro]`);
  if (mode !== 'ro' && mode !== 'rw') throw new UsageError(`-v "${spec}": mode "${mode}" is unknown; use ro or rw`);
  if (!host.startsWith('/') && !host.startsWith('.')) {
    throw new UsageError(`-v "${spec}": named volumes are not supported; give a host path (absolute or starting with ./)`);
  }
  if (!isAbsolute(target)) throw new UsageError(`-v "${spec}": the container path must be absolute`);
  const source = resolve(host);
  const info = await stat(source).catch(() => undefined);
  if (!info) throw new UsageError(`-v "${spec}": host path ${source} does not exist`);
  if (mode === 'ro') return { type: 'bind', source, target, readonly: true };
  // A plain writable bind; 'cache' is the sandbox's name for a mount whose writes persist.
  return { type: 'cache', source, target, readonly: false };
}

/** Splits `[OPTIONS] IMAGE [COMMAND…]`: everything from the image name on belongs to the command. */
export function splitAtImage(argv: string[], options: FlagOptions): { own: string[]; rest: string[] } {
  const takesValue = (name: string): boolean => options[name]?.type === 'string';
  const shortTakesValue = (ch: string): boolean => Object.values(options).some((o) => o.short === ch && o.type === 'string');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return { own: argv.slice(0, i), rest: argv.slice(i + 1) };
    if (!arg.startsWith('-') || arg === '-') return { own: argv.slice(0, i), rest: argv.slice(i) };
    if (arg.startsWith('--')) {
      if (!arg.includes('=') && takesValue(arg.slice(2))) i++;
      continue;
    }
    // `-it`, `-eK=V`, `-e K=V`: a value flag takes the rest of the group, or the next word.
    for (let j = 1; j < arg.length; j++) {
      if (!shortTakesValue(arg[j]!)) continue;
      if (j === arg.length - 1) i++;
      break;
    }
  }
  return { own: argv, rest: [] };
}

export const command = { name: 'run', summary: 'Run an image from the store in the sandbox', usage, run } satisfies Command;

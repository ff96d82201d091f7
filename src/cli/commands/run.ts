import { parseArgs } from 'node:util';
import { parseExtraHost, runImage } from '../../executor/index.js';
import { UsageError } from '../../errors.js';
import { withStore } from '../../store/command-args.js';
import type { Command } from '../command.js';

const usage = `usage: tsbuild run [OPTIONS] IMAGE [COMMAND [ARG...]]

Run an image from the store in the build sandbox, with its ENTRYPOINT, CMD, USER,
WORKDIR and ENV, so CI can smoke-test an image without a Docker daemon. The
container's filesystem changes are always discarded.

options:
      --rm                 accepted for docker compatibility (changes are never kept)
  -e, --env K=V            set an environment variable (repeatable)
  -u, --user USER[:GROUP]  run as this user instead of the image's USER
  -w, --workdir DIR        working directory instead of the image's WORKDIR
      --entrypoint CMD     override the image's ENTRYPOINT
      --network MODE       default (outbound through slirp4netns), none or host
      --add-host HOST:IP   add an /etc/hosts entry (repeatable; IP host-gateway reaches this machine)
      --root DIR           store location
`;

async function run(argv: string[]): Promise<number> {
  const { own, rest: positionals } = splitAtImage(argv);
  const { values } = parseArgs({
    args: own,
    options: {
      rm: { type: 'boolean' },
      env: { type: 'string', short: 'e', multiple: true },
      user: { type: 'string', short: 'u' },
      workdir: { type: 'string', short: 'w' },
      entrypoint: { type: 'string' },
      network: { type: 'string' },
      'add-host': { type: 'string', multiple: true },
      root: { type: 'string' },
    },
  });
  const [imageName, ...command] = positionals;
  if (!imageName) throw new UsageError('tsbuild run needs an IMAGE; e.g. tsbuild run myapp:latest');
  const network = values.network ?? 'default';
  if (network !== 'default' && network !== 'none' && network !== 'host') throw new UsageError(`--network ${network} is unknown; use default, none or host`);
  const extraHosts = (values['add-host'] ?? []).map(parseExtraHost);

  return withStore(values, async (store) => {
    const image = store.resolveImage(imageName);
    if (!image) throw new UsageError(`image ${imageName} is not in the store; see tsbuild images`);
    const top = image.chainIds.at(-1);
    return await store.withLease(async () => {
      const result = await runImage({
        config: image.config.config,
        rootfs: { lowerdirs: top ? store.lowerdirs(top) : [store.emptyDir()], mountCwd: store.root },
        scratchDir: store.tmpDir(),
        command,
        ...(values.entrypoint !== undefined ? { entrypoint: values.entrypoint === '' ? [] : [values.entrypoint] } : {}),
        env: values.env ?? [],
        ...(values.user !== undefined ? { user: values.user } : {}),
        ...(values.workdir !== undefined ? { workdir: values.workdir } : {}),
        network,
        extraHosts,
        onOutput: (stream, data) => void (stream === 'stdout' ? process.stdout : process.stderr).write(data),
      });
      return result.exitCode;
    });
  });
}

const VALUE_FLAGS = new Set(['-e', '--env', '-u', '--user', '-w', '--workdir', '--entrypoint', '--network', '--add-host', '--root']);

/** Splits `[OPTIONS] IMAGE [COMMAND…]`: everything from the image name on belongs to the command. */
function splitAtImage(argv: string[]): { own: string[]; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) return { own: argv.slice(0, i), rest: argv.slice(i) };
    if (VALUE_FLAGS.has(arg)) i++;
  }
  return { own: argv, rest: [] };
}

export const command = { name: 'run', summary: 'Run an image from the store in the sandbox', usage, run } satisfies Command;

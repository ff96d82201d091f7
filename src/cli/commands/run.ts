import { parseArgs } from 'node:util';
import { parseExtraHost, runImage } from '../../executor/index.js';
import { UsageError } from '../../errors.js';
import { parsePidsLimit } from '../flag-values.js';
import { checkEmulation } from '../../executor/emulation.js';
import { formatPlatform } from '../../platform.js';
import type { ResolvedImage, Store } from '../../store/index.js';
import { withStore } from '../../store/command-args.js';
import { platformOption } from '../platform-option.js';
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
      --pids-limit N       processes and threads the container may have at once (0: no limit)
      --platform OS/ARCH   the platform's image of a multi-platform name; another
                           architecture runs under QEMU user-mode emulation (binfmt_misc)
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
      'pids-limit': { type: 'string' },
      platform: { type: 'string' },
      'add-host': { type: 'string', multiple: true },
      root: { type: 'string' },
    },
  });
  const [imageName, ...command] = positionals;
  if (!imageName) throw new UsageError('tsbuild run needs an IMAGE; e.g. tsbuild run myapp:latest');
  const network = values.network ?? 'default';
  if (network !== 'default' && network !== 'none' && network !== 'host') throw new UsageError(`--network ${network} is unknown; use default, none or host`);
  const extraHosts = (values['add-host'] ?? []).map(parseExtraHost);
  const limits = parsePidsLimit(values['pids-limit']);

  return withStore(values, async (store) => {
    const image = resolveRunImage(store, imageName, values.platform);
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
        ...(limits.pids !== undefined ? { limits } : {}),
        extraHosts,
        onOutput: (stream, data) => void (stream === 'stdout' ? process.stdout : process.stderr).write(data),
      });
      return result.exitCode;
    });
  });
}

/** The image to run (`--platform`'s member of a multi-platform name), once its architecture can run here. */
function resolveRunImage(store: Store, name: string, platformFlag: string | undefined): ResolvedImage {
  const platform = platformFlag === undefined ? undefined : platformOption(platformFlag);
  const found = platform ? store.resolveImageFor(name, platform) : { image: store.resolveImage(name), held: [] };
  if (!found.image) {
    const held = found.held.length > 0 ? ` for ${formatPlatform(platform!)} (it holds ${found.held.join(', ')})` : '';
    throw new UsageError(`image ${name} is not in the store${held}; see tsbuild images`);
  }
  const { os, architecture, variant } = found.image.config;
  checkEmulation({ os, architecture, ...(variant ? { variant } : {}) });
  return found.image;
}

const VALUE_FLAGS = new Set(['-e', '--env', '-u', '--user', '-w', '--workdir', '--entrypoint', '--network', '--add-host', '--pids-limit', '--platform', '--root']);

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

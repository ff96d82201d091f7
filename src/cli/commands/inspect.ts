import type { Command } from '../command.js';
import { inspectImage } from '../../api/index.js';
import { parseStoreArgs, requireCount } from '../command-args.js';
import { formatItems } from '../format-output.js';
import { platformOption } from '../platform-option.js';

const usage = `usage: tsbuild inspect [OPTIONS] IMAGE...

Prints a JSON array describing the images, shaped like \`docker inspect\`:
Id, RepoTags, Created, Config, RootFS, History, Size, the manifest digest, and the
Platforms a multi-platform name holds. A name holding several platforms describes
this machine's platform's image unless --platform picks another.

options:
      --platform OS/ARCH   the platform's image of a multi-platform name
  -f, --format TEMPLATE  a Go template per image ({{.Id}}, {{json .Config}}, {{.Config.Env}}, …) or json
      --root DIR         store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

const CONFIG_DEFAULTS = {
  User: '',
  Env: [],
  Cmd: [],
  Entrypoint: [],
  WorkingDir: '',
  Labels: {},
  ExposedPorts: {},
  Volumes: {},
  OnBuild: [],
  StopSignal: '',
  Shell: [],
};

export const command: Command = {
  name: 'inspect',
  summary: 'Show details of images as JSON',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(
      argv,
      { format: { type: 'string', short: 'f' }, type: { type: 'string' }, platform: { type: 'string' } },
      usage,
    );
    requireCount(positionals, usage, { min: 1, max: Infinity });
    const images = await inspectImage(positionals, {
      ...(values.root !== undefined ? { root: values.root } : {}),
      ...(values.platform !== undefined ? { platform: platformOption(values.platform) } : {}),
    });
    if (values.format === undefined || values.format === 'json') {
      process.stdout.write(`${JSON.stringify(images, null, 2)}\n`);
      return 0;
    }
    const items = images.map((image) => {
      // docker's Config is a struct: fields an image leaves out print as empty, not <no value>.
      const item = { ...image, Config: { ...CONFIG_DEFAULTS, ...image.Config } };
      // docker's field is Id; {{.ID}} is what people type after `docker images`.
      Object.defineProperty(item, 'ID', { value: image.Id, enumerable: false });
      return item;
    });
    process.stdout.write(formatItems(values.format, items));
    return 0;
  },
};

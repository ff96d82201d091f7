import type { Command } from '../command.js';
import { familiarReference, parseReference } from '../../image/reference.js';
import { ImageNotFoundError } from '../../store/errors.js';
import type { ResolvedImage, Store } from '../../store/index.js';
import { parseStoreArgs, requireCount, withStore } from '../../store/command-args.js';

const usage = `usage: tsbuild inspect IMAGE...

Prints a JSON array describing the images, shaped like \`docker inspect\`:
Id, RepoTags, Created, Config, RootFS, History, Size, and the manifest digest.

options:
      --root DIR   store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

function describe(store: Store, image: ResolvedImage): Record<string, unknown> {
  const { config } = image;
  return {
    Id: image.id,
    RepoTags: image.tags.map((t) => familiarReference(parseReference(t))),
    RepoDigests: [],
    ManifestDigest: image.manifestDigest,
    Created: config.created ?? null,
    Author: config.author ?? '',
    Architecture: config.architecture,
    ...(config.variant ? { Variant: config.variant } : {}),
    Os: config.os,
    Config: config.config,
    RootFS: { Type: config.rootfs.type, Layers: config.rootfs.diff_ids },
    History: config.history ?? [],
    Size: image.chainIds.reduce((sum, chainId) => sum + (store.getLayer(chainId)?.size ?? 0), 0),
    Metadata: { Stored: new Date(image.created).toISOString() },
  };
}

export const command: Command = {
  name: 'inspect',
  summary: 'Show details of images as JSON',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(argv, {}, usage);
    requireCount(positionals, usage, { min: 1, max: Infinity });
    return withStore(values, async (store) => {
      const out: Record<string, unknown>[] = [];
      for (const ref of positionals) {
        const image = store.resolveImage(ref);
        if (!image) throw new ImageNotFoundError(ref);
        out.push(describe(store, image));
      }
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    });
  },
};

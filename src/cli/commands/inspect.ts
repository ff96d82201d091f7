import type { Command } from '../command.js';
import { familiarReference, parseReference } from '../../image/reference.js';
import { formatPlatform } from '../../platform.js';
import { ImageNotFoundError, StoreError } from '../../store/errors.js';
import { platformOption } from '../platform-option.js';
import type { ResolvedImage, Store } from '../../store/index.js';
import { parseStoreArgs, requireCount, withStore } from '../../store/command-args.js';

const usage = `usage: tsbuild inspect [--platform OS/ARCH] IMAGE...

Prints a JSON array describing the images, shaped like \`docker inspect\`:
Id, RepoTags, Created, Config, RootFS, History, Size, the manifest digest, and the
Platforms a multi-platform name holds. A name holding several platforms describes
this machine's platform's image unless --platform picks another.

options:
      --platform OS/ARCH   the platform's image of a multi-platform name
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
    const { values, positionals } = parseStoreArgs(argv, { platform: { type: 'string' } }, usage);
    const platform = values.platform === undefined ? undefined : platformOption(values.platform);
    requireCount(positionals, usage, { min: 1, max: Infinity });
    return withStore(values, async (store) => {
      const out: Record<string, unknown>[] = [];
      for (const ref of positionals) {
        const found = platform ? store.resolveImageFor(ref, platform) : { image: store.resolveImage(ref), held: [] };
        if (!found.image) {
          if (platform && found.held.length > 0) {
            throw new StoreError(`${ref} holds no ${formatPlatform(platform)} image (it holds ${found.held.join(', ')})`);
          }
          throw new ImageNotFoundError(ref);
        }
        const platforms = store.imagesOfName(ref).map((m) => m.platform);
        out.push({ ...describe(store, found.image), ...(platforms.length > 1 ? { Platforms: platforms } : {}) });
      }
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    });
  },
};

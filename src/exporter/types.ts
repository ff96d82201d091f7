import type { Store } from '../store/index.js';

/** Where a build's result goes (`-o`); `image` (the store) is the default. */
export type OutputSpec =
  | { type: 'image'; push?: boolean }
  | { type: 'docker'; dest: string }
  | { type: 'oci'; dest: string }
  | { type: 'tar'; dest: string }
  | { type: 'local'; dest: string }
  | { type: 'registry' };

export type OutputType = OutputSpec['type'];

/** One target platform's image, already in the store. */
export interface PlatformImage {
  /** `os/arch[/variant]`. */
  platform: string;
  imageId: string;
  /** Top of the image's layer chain; null when it has no layers. */
  chainId: string | null;
}

/**
 * What an exporter sends: one image, or (several platforms) one OCI index of them, already
 * written to the store and tagged there.
 */
export interface ExportTarget {
  store: Store;
  /** The image archives name first: this machine's platform's, when the build made it. */
  imageId: string;
  /** Every target platform's image, in `--platform` order; one entry for a one-platform build. */
  platforms: PlatformImage[];
  tags: string[];
  /** Clamp of file mtimes in filesystem outputs (`SOURCE_DATE_EPOCH`). */
  sourceDateEpoch: number | undefined;
  insecureRegistries: string[];
  /** Runs `work` as one progress line named `name`. */
  track<T>(name: string, work: () => Promise<T>): Promise<T>;
}

/** What an export reports back: a push gives the digest the registry serves. */
export interface ExportReport {
  pushedDigest?: string;
}

/** One kind of output: sends the target where `output` says. */
export interface Exporter<O extends OutputSpec = OutputSpec> {
  export(output: O, target: ExportTarget): Promise<ExportReport>;
}

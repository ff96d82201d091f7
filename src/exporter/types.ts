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

/** The image an exporter sends: already written to the store and tagged there. */
export interface ExportTarget {
  store: Store;
  imageId: string;
  tags: string[];
  /** Top of the image's layer chain; null when it has no layers. */
  chainId: string | null;
  /** Clamp of file mtimes in filesystem outputs (`SOURCE_DATE_EPOCH`). */
  sourceDateEpoch: number | undefined;
  insecureRegistries: string[];
  /** Runs `work` as one progress line named `name`. */
  track<T>(name: string, work: () => Promise<T>): Promise<T>;
}

/** One kind of output: sends the target where `output` says. */
export interface Exporter<O extends OutputSpec = OutputSpec> {
  export(output: O, target: ExportTarget): Promise<void>;
}

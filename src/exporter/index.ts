// Where a built image goes (`-o`): the store, a registry, a docker or OCI archive,
// or its filesystem as a tar or a directory. One file per kind, one exhaustive table.
// Exporters read the store; they never build.
import { UsageError } from '../errors.js';
import { dockerExporter } from './docker.js';
import { imageExporter } from './image.js';
import { localExporter } from './local.js';
import { ociExporter } from './oci.js';
import { registryExporter } from './registry.js';
import { tarExporter } from './tar.js';
import type { ExportReport, ExportTarget, Exporter, OutputSpec, OutputType } from './types.js';

export type { ExportReport, ExportTarget, Exporter, OutputSpec, OutputType, PlatformImage } from './types.js';

const EXPORTERS: { readonly [T in OutputType]: Exporter<Extract<OutputSpec, { type: T }>> } = {
  image: imageExporter,
  registry: registryExporter,
  docker: dockerExporter,
  oci: ociExporter,
  tar: tarExporter,
  local: localExporter,
};

/** Sends `target` to `output`. */
export async function exportTo(output: OutputSpec, target: ExportTarget): Promise<ExportReport> {
  // An API caller may pass any object: the type is checked here, not trusted.
  if (!Object.hasOwn(EXPORTERS, output.type)) {
    throw new UsageError(`unknown output type "${String(output.type)}": use ${Object.keys(EXPORTERS).join(', ')}`);
  }
  // The table pairs each type with its own exporter; TypeScript cannot follow that through the lookup.
  const exporter = EXPORTERS[output.type] as Exporter;
  return exporter.export(output, target);
}

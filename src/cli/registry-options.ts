import type { RegistryClientOptions } from '../registry/index.js';

/** `--insecure-registry HOST` (repeatable), shared by every command that talks to a registry. */
export const INSECURE_REGISTRY_OPTION = { 'insecure-registry': { type: 'string', multiple: true } } as const;

export function registryClientOptions(values: { 'insecure-registry'?: string[] | undefined }): Omit<RegistryClientOptions, 'host'> {
  return { insecureRegistries: values['insecure-registry'] ?? [] };
}

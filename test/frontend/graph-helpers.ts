import type { ContainerConfig, ImageConfig } from '../../src/image/oci-types.js';
import { buildGraph, parseDockerfile, type BuildGraph, type GraphOptions, type Stage, type Step } from '../../src/frontend/index.js';

/** Plans `text` for linux/amd64 built on linux/arm64; `images` are the known base configs. */
export async function plan(
  text: string,
  opts: Partial<GraphOptions> & { images?: Record<string, ContainerConfig & { author?: string }> } = {},
): Promise<BuildGraph> {
  const { images = {}, ...rest } = opts;
  return buildGraph(parseDockerfile(text), {
    buildArgs: {},
    targetPlatform: { os: 'linux', architecture: 'amd64' },
    buildPlatform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    resolveBaseConfig: async (ref): Promise<ImageConfig | null> => {
      const image = images[ref];
      if (!image) return null;
      const { author, ...config } = image;
      return { architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: [] }, ...(author ? { author } : {}) };
    },
    ...rest,
  });
}

export function target(graph: BuildGraph): Stage {
  const stage = graph.stages.find((s) => s.index === graph.targetIndex);
  if (!stage) throw new Error('no target stage');
  return stage;
}

export function stepOf<K extends Step['kind']>(step: Step | undefined, kind: K): Extract<Step, { kind: K }> {
  if (step?.kind !== kind) throw new Error(`expected a ${kind} step, got ${step?.kind}`);
  return step as Extract<Step, { kind: K }>;
}

export async function planError(text: string, opts: Partial<GraphOptions> = {}): Promise<Error> {
  try {
    await plan(text, opts);
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected planning to fail');
}

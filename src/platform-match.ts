import type { Descriptor } from './image/index.js';
import type { Platform } from './platform.js';

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', i386: '386' };
/** Variants an index may leave out because they are the only sensible one (as containerd normalizes). */
const DEFAULT_VARIANT: Record<string, string> = { arm64: 'v8', arm: 'v7', amd64: 'v1' };
/** An arm/v7 machine also runs v6 and v5 binaries; prefer the closest. Other arches have no fallbacks. */
const COMPATIBLE_VARIANTS: Record<string, string[]> = {
  'arm/v8': ['v8', 'v7', 'v6', 'v5'],
  'arm/v7': ['v7', 'v6', 'v5'],
  'arm/v6': ['v6', 'v5'],
};

function normalize(p: { os: string; architecture: string; variant?: string }): Required<Platform> {
  const architecture = ARCH_ALIASES[p.architecture.toLowerCase()] ?? p.architecture.toLowerCase();
  return { os: p.os.toLowerCase(), architecture, variant: p.variant?.toLowerCase() || DEFAULT_VARIANT[architecture] || '' };
}

/**
 * Picks the manifest of an index (or Docker manifest list) that runs on `want`. Entries
 * without a platform, or `unknown/unknown` ones (BuildKit's attestations), never match.
 * Ties go to the first entry, as with docker.
 */
export function selectPlatform(manifests: readonly Descriptor[], want: Platform): Descriptor | undefined {
  const w = normalize(want);
  const accepted = COMPATIBLE_VARIANTS[`${w.architecture}/${w.variant}`] ?? [w.variant];
  let best: { rank: number; desc: Descriptor } | undefined;
  for (const desc of manifests) {
    if (!desc.platform) continue;
    const p = normalize(desc.platform);
    if (p.os !== w.os || p.architecture !== w.architecture) continue;
    const rank = accepted.indexOf(p.variant);
    if (rank !== -1 && (!best || rank < best.rank)) best = { rank, desc };
  }
  return best?.desc;
}

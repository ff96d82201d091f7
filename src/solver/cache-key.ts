import { createHash } from 'node:crypto';
import type { Platform } from '../platform.js';

/**
 * Cache keys are pure: sha256 over the parent's key, the step in canonical form (after
 * expansion), the platform, and for COPY/ADD the checksum of the selected sources. Never
 * mtimes, never secret values. Computing a key does no I/O, so a fully cached build costs
 * one database lookup per step.
 */
export type CacheKey = string;

/** Stable JSON: object keys sorted, so equal inputs always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

function sha256(text: string): CacheKey {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** Key of a stage's starting point: an empty root, or an image by ID (its config digest). */
export function baseKey(base: { kind: 'scratch' } | { kind: 'image'; imageId: string }, platform: Platform): CacheKey {
  return sha256(canonicalJson({ v: 1, base, platform }));
}

/** Key of a step on top of `parent`. `step` is the canonical description of what the step does. */
export function stepKey(parent: CacheKey, platform: Platform, step: Record<string, unknown>): CacheKey {
  return sha256(canonicalJson({ v: 1, parent, platform, step }));
}

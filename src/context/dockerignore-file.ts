// Reading .dockerignore files with Docker's rules (moby/patternmatcher/ignorefile.ReadAll)
// and choosing which file applies to a build.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { goClean } from '../match/index.js';

/**
 * Parses .dockerignore text into pattern lines: strips a UTF-8 BOM, skips `#` comments
 * (column 0 only) and blank lines, trims, splits a leading `!` off and trims again, cleans
 * the path and drops one leading `/`.
 */
export function parseDockerignore(text: string): string[] {
  const patterns: string[] = [];
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  for (const line of body.split('\n')) {
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = goClean(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(invert ? '!' + pattern : pattern);
  }
  return patterns;
}

/** The ignore file that applies and its patterns (`file` null when there is none). */
export interface IgnoreFile {
  file: string | null;
  patterns: string[];
}

/**
 * Loads the patterns for a build: `<Dockerfile>.dockerignore` beside the Dockerfile wins
 * over `<context>/.dockerignore` (BuildKit's dockerui lookup).
 */
export async function loadIgnoreFile(contextDir: string, dockerfilePath: string | null): Promise<IgnoreFile> {
  const candidates = dockerfilePath === null ? [] : [dockerfilePath + '.dockerignore'];
  candidates.push(join(contextDir, '.dockerignore'));
  for (const file of candidates) {
    let text: string;
    try {
      // One synchronous read: a small file costs less than a thread-pool round trip.
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    return { file, patterns: parseDockerignore(text) };
  }
  return { file: null, patterns: [] };
}

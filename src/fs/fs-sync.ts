// Durable, atomic filesystem steps the store is built from.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { tempName } from './owner.js';

/** Makes a rename or create inside `dir` durable (containerd does the same after a commit). */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Moves a path into the trash atomically, so a crash never leaves it half deleted in place. */
export function moveToTrash(trash: string, path: string): void {
  mkdirSync(trash, { recursive: true });
  try {
    renameSync(path, join(trash, tempName()));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

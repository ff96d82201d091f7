// Writes the busybox base image's root filesystem (from Debian's busybox-static) as a
// tar, for the README's example: `npm run example` imports it and builds testdata/multistage.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxRootfsTar } from '../test/helpers/busybox-rootfs.js';

const out = process.argv[2];
if (!out) throw new Error('usage: tsx scripts/example.ts OUT.tar');
const work = mkdtempSync(join(tmpdir(), 'tsbuild-example-'));
try {
  busyboxRootfsTar(out, work);
} finally {
  rmSync(work, { recursive: true, force: true });
}

// Where the package's own files are: build/Release's native binaries, package.json, dist/.
// The one place that turns import.meta.url into a path, because the CLI bundle
// (dist/tsbuild.cjs) gives every bundled module the bundle's URL: this file, src/ and dist/
// and the bundle all sit one level under the package root, so '..' is right for all three.
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Absolute path of `rel` (a '/'-separated path) inside the package. */
export function packagePath(rel: string): string {
  return ROOT + rel;
}

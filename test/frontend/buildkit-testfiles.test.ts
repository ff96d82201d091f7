import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerfileError, parseDockerfile } from '../../src/frontend/index.js';
import { plan } from './graph-helpers.js';

// BuildKit's parser test files, read in place from the shared conformance data.
const dir = new URL('../../../shared/conformance/buildkit-parser/testfiles', import.meta.url).pathname;
const present = existsSync(dir);
if (!present) console.log(`skipping BuildKit test files: ${dir} not found`);

/** Files BuildKit parses but refuses to build, with the reason it gives too. */
const REFUSED: Record<string, string> = {
  env: 'unexpected end of statement while looking for matching single-quote',
  escapes: 'unexpected end of statement while looking for matching double-quote',
  flags: 'unknown flag: --user',
  health: 'HEALTHCHECK requires at least one argument',
  json: 'no build stage in current context',
  'jeztah-invalid-json-json-inside-string': 'no build stage in current context',
  'jeztah-invalid-json-json-inside-string-double': 'no build stage in current context',
  'jeztah-invalid-json-single-quotes': 'no build stage in current context',
  'jeztah-invalid-json-unterminated-bracket': 'no build stage in current context',
  'jeztah-invalid-json-unterminated-string': 'no build stage in current context',
};

describe.runIf(present)('graphs of the BuildKit parser test files', () => {
  for (const name of present ? readdirSync(dir).sort() : []) {
    it(`plans ${name}, or refuses it with a located Dockerfile error as BuildKit does`, async () => {
      const text = readFileSync(join(dir, name, 'Dockerfile'), 'utf8');
      const outcome = await plan(text).then(
        (g) => ({ stages: g.stages.length }),
        (err: unknown) => err,
      );
      const reason = REFUSED[name];
      if (reason === undefined) {
        expect(outcome).toEqual({ stages: 1 });
      } else {
        expect(outcome).toBeInstanceOf(DockerfileError);
        expect((outcome as DockerfileError).message).toContain(reason);
        expect((outcome as DockerfileError).range).toBeDefined();
      }
      expect(parseDockerfile(text).nodes.length).toBeGreaterThan(0);
    });
  }
});

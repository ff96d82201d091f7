// A bad EXPOSE is a Dockerfile error: exit 2, BuildKit's message, the line shown.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv, tsbuild, type E2eEnv } from './helpers.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await e2eEnv('e2e');
});
afterAll(() => env?.dispose());

describe('EXPOSE with an unknown protocol', () => {
  it('fails the build with exit 2, naming the protocol and the Dockerfile line', () => {
    const context = join(env.work, 'expose');
    mkdirSync(context);
    writeFileSync(join(context, 'Dockerfile'), 'FROM busybox\nEXPOSE 80/tcpx\n');
    const out = tsbuild(['build', '-q', context], { root: env.root });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('Dockerfile:2');
    expect(out.stderr).toContain('ERROR: invalid port: "80/tcpx": invalid proto: tcpx');
    expect(out.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});

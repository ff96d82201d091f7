import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { command } from '../../src/cli/commands/debug.js';

const multistage = new URL('../../testdata/multistage', import.meta.url).pathname;

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const code = await command.run(argv);
  return { code, stdout, stderr };
}

afterEach(() => vi.restoreAllMocks());

describe('tsbuild debug graph', () => {
  it('prints every stage of the multistage example with its steps', async () => {
    const { code, stdout } = await run(['graph', multistage]);
    expect(code).toBe(0);
    expect(stdout).toContain('3 stage(s) for target #2 (final)');
    expect(stdout).toContain('stage #2 (final) from image busybox:latest  needs: 0, 1');
    expect(stdout).toContain('COPY --from=deps /deps/list.txt /app/deps.txt');
    expect(stdout).toContain('RUN --mount=type=cache,target=/var/cache/deps');
  });

  it('prints the graph as JSON, honouring --target and --build-arg', async () => {
    const { code, stdout } = await run(['graph', '--json', '--target', 'build', '--build-arg', 'APP_VERSION=2.0', multistage]);
    expect(code).toBe(0);
    const graph = JSON.parse(stdout);
    expect(graph.stages.map((s: { name: string }) => s.name)).toEqual(['build']);
    expect(graph.stages[0].steps.at(-1).env).toContain('APP_VERSION=2.0');
  });

  it('prints a Dockerfile error with its excerpt and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsbuild-debug-'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nCOPPY a b\n');
    const { code, stderr } = await run(['graph', dir]);
    expect(code).toBe(2);
    expect(stderr).toContain('   2 | >>> COPPY a b');
    expect(stderr).toContain('ERROR: unknown instruction: COPPY (did you mean COPY?)');
  });

  it('rejects an unknown debug subcommand', async () => {
    await expect(command.run(['nope'])).rejects.toMatchObject({ code: 'usage', exitCode: 2 });
  });
});

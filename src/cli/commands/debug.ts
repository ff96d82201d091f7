import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { assertNever, UsageError } from '../../errors.js';
import {
  buildGraph,
  DockerfileError,
  formatSourceError,
  parseDockerfile,
  sourceLines,
  type BuildGraph,
  type Stage,
  type StageBase,
} from '../../frontend/index.js';
import { formatPlatform, hostPlatform } from '../../platform.js';
import type { Command } from '../command.js';
import { parseKeyValues } from '../flag-values.js';
import { parseFlags, usageHint } from '../parse-flags.js';

const usage = `usage: tsbuild debug graph [OPTIONS] [CONTEXT]

Prints the build graph planned for a Dockerfile: the stages the target needs, in build
order, and each stage's steps. Base images are not looked up (their config counts as empty).

options:
  -f, --file FILE         Dockerfile (default CONTEXT/Dockerfile)
      --target STAGE      stage to plan for (default: the last one)
      --build-arg K=V     build-time variable (repeatable)
      --json              print the graph as JSON`;

export const command: Command = {
  name: 'debug',
  summary: 'Show how tsbuild plans a Dockerfile (debug graph)',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub?.startsWith('-')) throw new UsageError(`unknown flag: ${sub}\n${usageHint(usage)}`);
    if (sub !== 'graph') throw new UsageError(`unknown debug subcommand ${JSON.stringify(sub ?? '')}; try: tsbuild debug graph`);
    const { values, positionals } = parseFlags(
      rest,
      {
        file: { type: 'string', short: 'f' },
        target: { type: 'string' },
        'build-arg': { type: 'string', multiple: true },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length > 1) throw new UsageError(`expected at most one CONTEXT, got ${positionals.length}\n\n${usage}`);
    const context = positionals[0] ?? '.';
    const file = values.file ?? dockerfileIn(context);
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read the Dockerfile ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { cause: err });
    });
    const lines = sourceLines(text);
    try {
      const parsed = parseDockerfile(text, { name: file });
      const platform = hostPlatform();
      const graph = await buildGraph(parsed, {
        ...(values.target === undefined ? {} : { target: values.target }),
        buildArgs: parseKeyValues('--build-arg', values['build-arg'] ?? [], true),
        targetPlatform: platform,
        buildPlatform: platform,
        resolveBaseConfig: async () => null,
      });
      process.stdout.write(values.json ? `${JSON.stringify(graph, null, 2)}\n` : renderGraph(graph));
      return 0;
    } catch (err) {
      if (!(err instanceof DockerfileError)) throw err;
      process.stderr.write(formatSourceError(err, lines));
      return err.exitCode;
    }
  },
};

/** `Dockerfile`, or BuildKit's fallback `dockerfile` when only that exists. */
function dockerfileIn(context: string): string {
  const upper = join(resolve(context), 'Dockerfile');
  const lower = join(resolve(context), 'dockerfile');
  return !existsSync(upper) && existsSync(lower) ? lower : upper;
}

function renderGraph(graph: BuildGraph): string {
  const target = graph.stages.find((s) => s.index === graph.targetIndex);
  const out = [`${graph.dockerfile.name}: ${graph.stages.length} stage(s) for target ${label(target)}, platform ${formatPlatform(graph.targetPlatform)}`];
  for (const stage of graph.stages) out.push('', ...renderStage(stage));
  return `${out.join('\n')}\n`;
}

function renderStage(stage: Stage): string[] {
  const deps = stage.dependsOn.length ? `  needs: ${stage.dependsOn.join(', ')}` : '';
  const lines = [`stage ${label(stage)} from ${describeBase(stage.base)}${deps}`];
  stage.steps.forEach((step, i) => {
    const body = step.display.split('\n');
    lines.push(`  ${String(i + 1).padStart(2)}. ${body[0] ?? ''}`, ...body.slice(1).map((l) => `      ${l}`));
  });
  if (stage.steps.length === 0) lines.push('  (no steps)');
  return lines;
}

function label(stage: Stage | undefined): string {
  if (!stage) return '?';
  return stage.name === undefined ? `#${stage.index}` : `#${stage.index} (${stage.name})`;
}

function describeBase(base: StageBase): string {
  switch (base.kind) {
    case 'scratch':
      return 'scratch';
    case 'image':
      return base.platform ? `image ${base.ref} (${formatPlatform(base.platform)})` : `image ${base.ref}`;
    case 'stage':
      return `stage #${base.index}`;
    case 'context':
      return `build context ${base.name}`;
    default:
      return assertNever(base, 'stage base');
  }
}

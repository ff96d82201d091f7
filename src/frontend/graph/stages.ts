// Stage layout: instructions grouped by FROM, names, what each FROM and --from refers to,
// the target, and the stages it needs (cycles are errors).
import { InvalidReferenceError, parseReference } from '../../image/index.js';
import { parsePlatform, type Platform } from '../../platform.js';
import { DockerfileError } from '../errors.js';
import { mountFields } from '../instructions/mounts.js';
import { didYouMean } from '../instructions/suggest.js';
import type { ArgInstruction, FromInstruction, Instruction } from '../instructions/types.js';
import type { SourceRange } from '../source.js';
import type { StageBase } from './types.js';

/** A stage as written: its FROM and the instructions after it. */
export interface StageSource {
  index: number;
  from: FromInstruction;
  body: Instruction[];
}

export interface Layout {
  metaArgs: ArgInstruction[];
  stages: StageSource[];
}

/** Splits instructions into global ARGs and stages; anything else before FROM is an error. */
export function layoutStages(instructions: Instruction[], file: string): Layout {
  const metaArgs: ArgInstruction[] = [];
  const stages: StageSource[] = [];
  for (const ins of instructions) {
    const current = stages.at(-1);
    if (ins.kind === 'from') stages.push({ index: stages.length, from: ins, body: [] });
    else if (current) current.body.push(ins);
    else if (ins.kind === 'arg') metaArgs.push(ins);
    else {
      throw new DockerfileError('no build stage in current context', {
        code: 'dockerfile-stage',
        file,
        range: ins.range,
        hint: 'start the Dockerfile with FROM (only ARG may come before it)',
      });
    }
  }
  if (stages.length === 0) {
    throw new DockerfileError('the Dockerfile has no FROM instruction', {
      code: 'dockerfile-stage',
      file,
      range: instructions[0]?.range,
      hint: 'add FROM <image> before the other instructions',
    });
  }
  return { metaArgs, stages };
}

/** A stage's FROM after global ARG expansion. */
export interface ResolvedFrom {
  image: string;
  name?: string;
  platform?: Platform;
}

/** Looks up names used by FROM, COPY --from and mount from=. */
export class StageNames {
  private readonly byName = new Map<string, number>();

  constructor(
    private readonly froms: ResolvedFrom[],
    private readonly file: string,
    private readonly namedContexts: Readonly<Record<string, unknown>>,
    private readonly ranges: SourceRange[],
  ) {
    froms.forEach((f, i) => {
      if (f.name === undefined) return;
      if (this.byName.has(f.name)) {
        throw new DockerfileError(`duplicate stage name ${JSON.stringify(f.name)}`, {
          code: 'dockerfile-stage',
          file,
          range: ranges[i],
          hint: 'give each stage a different AS name',
        });
      }
      this.byName.set(f.name, i);
    });
  }

  /** The stage a `--target` names (name or index), with a suggestion when unknown. */
  target(target: string | undefined): number {
    if (target === undefined || target === '') return this.froms.length - 1;
    const index = this.lookup(target);
    if (index === undefined) {
      const names = [...this.byName.keys()];
      throw new DockerfileError(`target stage ${JSON.stringify(target)} could not be found${didYouMean(target.toLowerCase(), names)}`, {
        code: 'dockerfile-stage',
        file: this.file,
        hint: names.length ? `stages are ${names.join(', ')}` : 'name a stage with FROM <image> AS <name>',
      });
    }
    return index;
  }

  /** What `FROM <image>` of stage `index` builds on; only earlier stages count as stages. */
  base(index: number): StageBase {
    const from = this.froms[index];
    if (!from) throw new Error(`no stage ${index}`);
    if (from.name !== undefined && this.isContext(from.name)) return { kind: 'context', name: from.name };
    const stage = this.byName.get(from.image.toLowerCase());
    if (stage !== undefined && stage < index) return { kind: 'stage', index: stage };
    if (this.isContext(from.image)) return { kind: 'context', name: from.image };
    if (from.image.toLowerCase() === 'scratch') return { kind: 'scratch' };
    this.checkImage(from.image, 'FROM', this.ranges[index]);
    return from.platform ? { kind: 'image', ref: from.image, platform: from.platform } : { kind: 'image', ref: from.image };
  }

  /** What `--from=<ref>` names: a stage (by name or index), a named context, or an image. */
  from(ref: string, range: SourceRange): StageBase {
    if (/^[0-9]+$/.test(ref)) {
      const index = Number(ref);
      if (index >= this.froms.length) {
        throw new DockerfileError(`invalid stage index ${ref}: there are ${this.froms.length} stages`, {
          code: 'dockerfile-stage',
          file: this.file,
          range,
          hint: 'use a stage name or an index from 0',
        });
      }
      return { kind: 'stage', index };
    }
    const stage = this.byName.get(ref.toLowerCase());
    if (stage !== undefined) return { kind: 'stage', index: stage };
    if (this.isContext(ref)) return { kind: 'context', name: ref };
    this.checkImage(ref, '--from', range);
    return { kind: 'image', ref };
  }

  /** An image name that is no valid reference is the Dockerfile's fault: say so at its line. */
  private checkImage(ref: string, where: string, range: SourceRange | undefined): void {
    try {
      parseReference(ref);
    } catch (err) {
      if (!(err instanceof InvalidReferenceError)) throw err;
      throw new DockerfileError(`${where} names no stage and is not a valid image reference: ${err.message}`, {
        code: 'dockerfile-stage',
        file: this.file,
        range,
        hint: 'use an image name such as busybox:1.36 or registry.example.com/team/app@sha256:…, or the name of an earlier stage',
        cause: err,
      });
    }
  }

  nameOf(index: number): string {
    return this.froms[index]?.name ?? String(index);
  }

  private lookup(name: string): number | undefined {
    if (/^[0-9]+$/.test(name) && Number(name) < this.froms.length) return Number(name);
    return this.byName.get(name.toLowerCase());
  }

  private isContext(name: string): boolean {
    return Object.hasOwn(this.namedContexts, name);
  }
}

/** Expands FROM's image and --platform with the global ARGs. */
export function resolveFrom(from: FromInstruction, expand: (word: string) => string, file: string): ResolvedFrom {
  const image = expand(from.image);
  if (image === '') {
    throw new DockerfileError(`base name (${from.image}) should not be blank`, {
      code: 'dockerfile-stage',
      file,
      range: from.range,
      hint: 'set the ARG used in FROM, e.g. with --build-arg',
    });
  }
  let platform: Platform | undefined;
  if (from.platform !== undefined) {
    const text = expand(from.platform);
    try {
      platform = parsePlatform(text);
    } catch (err) {
      throw new DockerfileError(`failed to parse platform ${text}: ${(err as Error).message}`, {
        code: 'dockerfile-stage',
        file,
        range: from.range,
        hint: 'use os/arch[/variant], e.g. linux/amd64',
        cause: err,
      });
    }
  }
  return { image, ...(from.stageName === undefined ? {} : { name: from.stageName }), ...(platform ? { platform } : {}) };
}

/** The `--from` / `from=` references of instructions (values as written: never expanded). */
export function fromReferences(body: Instruction[]): { ref: string; range: SourceRange }[] {
  const refs: { ref: string; range: SourceRange }[] = [];
  for (const ins of body) {
    const target = ins.kind === 'onbuild' ? null : ins;
    if (target?.kind === 'copy' && target.from !== undefined) refs.push({ ref: target.from, range: ins.range });
    if (target?.kind === 'run') {
      for (const m of target.mounts) {
        const from = mountFields(m).find((f) => f.key === 'from')?.value;
        if (from) refs.push({ ref: from, range: ins.range });
      }
    }
  }
  return refs;
}

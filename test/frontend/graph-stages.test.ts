import { describe, expect, it } from 'vitest';
import { plan, planError, stepOf, target } from './graph-helpers.js';

describe('stages', () => {
  it('keeps only the stages the target needs, dependencies first', async () => {
    const g = await plan('FROM a AS unused\nFROM b AS lib\nFROM c AS app\nCOPY --from=lib /x /x\nFROM app AS final\n');
    expect(g.stages.map((s) => [s.index, s.name, s.dependsOn])).toEqual([
      [1, 'lib', []],
      [2, 'app', [1]],
      [3, 'final', [2]],
    ]);
    expect(g.targetIndex).toBe(3);
  });

  it('builds FROM <stage> on the parent stage state', async () => {
    const g = await plan('FROM x AS Base\nENV A=1\nWORKDIR /w\nFROM base\nRUN pwd\n');
    const stage = target(g);
    expect(stage.base).toEqual({ kind: 'stage', index: 0 });
    expect(stage.steps[0]).toMatchObject({ workdir: '/w', env: expect.arrayContaining(['A=1']) });
  });

  it('resolves COPY --from and mount from= by name, index, named context or image', async () => {
    const g = await plan(
      'FROM x AS a\nFROM y\nCOPY --from=0 /a /a\nCOPY --from=ctx /b /b\nCOPY --from=alpine:3 /c /c\n' + 'RUN --mount=from=a,target=/m,source=/s ls\n',
      { namedContexts: { ctx: {} } },
    );
    const steps = target(g).steps;
    expect(stepOf(steps[0], 'copy').from).toEqual({ kind: 'stage', index: 0 });
    expect(stepOf(steps[1], 'copy').from).toEqual({ kind: 'context', name: 'ctx' });
    expect(stepOf(steps[2], 'copy').from).toEqual({ kind: 'image', ref: 'alpine:3' });
    expect(stepOf(steps[3], 'run').mounts[0]).toMatchObject({ type: 'bind', target: '/m', source: '/s', fromBase: { kind: 'stage', index: 0 } });
    expect(target(g).dependsOn).toEqual([0]);
  });

  it('selects --target by name, case-insensitively, or by index', async () => {
    const text = 'FROM x AS one\nFROM y AS two\n';
    expect((await plan(text, { target: 'ONE' })).targetIndex).toBe(0);
    expect((await plan(text, { target: '1' })).targetIndex).toBe(1);
  });

  it('names the closest stage when the target is unknown', async () => {
    const err = await planError('FROM x AS builder\nFROM y AS final\n', { target: 'buidler' });
    expect(err.message).toBe('target stage "buidler" could not be found (did you mean builder?)');
  });

  it('rejects circular stage dependencies', async () => {
    const err = await planError('FROM x AS a\nCOPY --from=b /x /x\nFROM y AS b\nCOPY --from=a /y /y\n');
    expect(err.message).toMatch(/^circular dependency detected on stage: (a|b)$/);
  });

  it('rejects duplicate stage names, instructions before FROM, and out-of-range indexes', async () => {
    expect((await planError('FROM x AS a\nFROM y AS A\n')).message).toBe('duplicate stage name "a"');
    expect((await planError('RUN echo\nFROM x\n')).message).toBe('no build stage in current context');
    expect((await planError('FROM x\nCOPY --from=3 /a /a\n')).message).toBe('invalid stage index 3: there are 1 stages');
  });

  it('lets a named context replace a whole stage or an image name', async () => {
    const g = await plan('FROM x AS deps\nRUN slow\nFROM base\nCOPY --from=deps /d /d\n', { namedContexts: { deps: {}, base: {} } });
    expect(g.stages.map((s) => [s.base, s.steps.length])).toEqual([
      [{ kind: 'context', name: 'deps' }, 0],
      [{ kind: 'context', name: 'base' }, 1],
    ]);
  });

  it('runs the base image ONBUILD triggers right after FROM, once', async () => {
    const images = { parent: { OnBuild: ['ENV FROM_PARENT=1', 'RUN echo trigger'], Cmd: ['sh'] } };
    const g = await plan('FROM parent\nRUN echo own\n', { images });
    const stage = target(g);
    expect(stage.steps.map((s) => s.text)).toEqual(['ENV FROM_PARENT=1', 'RUN echo trigger', 'RUN echo own']);
    expect(stage.steps[0]?.range.start.line).toBe(1);
    expect(stage.config.OnBuild).toBeNull();
    expect(stage.config.Cmd).toEqual(['sh']);
  });

  it('runs ONBUILD of a parent stage in a child stage', async () => {
    const g = await plan('FROM x AS p\nONBUILD RUN echo hi\nFROM p\n');
    expect(target(g).steps.map((s) => s.text)).toEqual(['RUN echo hi']);
  });

  it('rejects a base image trigger that is not allowed', async () => {
    const err = await planError('FROM parent\n', {
      resolveBaseConfig: async () => ({
        architecture: 'amd64',
        os: 'linux',
        config: { OnBuild: ['FROM evil'] },
        rootfs: { type: 'layers', diff_ids: [] },
      }),
    });
    expect(err.message).toBe('invalid ONBUILD trigger "FROM evil" of the base image: FROM isn\'t allowed as an ONBUILD trigger');
  });

  it('resolves the base images of independent stages concurrently', async () => {
    const waiting: (() => void)[] = [];
    // Each lookup finishes only once both have started: a sequential planner would stall.
    const resolveBaseConfig = () =>
      new Promise<null>((resolve) => {
        waiting.push(() => resolve(null));
        if (waiting.length === 2) for (const release of waiting) release();
      });
    const stall = new Promise((_, reject) => setTimeout(() => reject(new Error('base lookups ran one after the other')), 2000));
    const g = await Promise.race([plan('FROM a AS x\nFROM b AS y\nFROM scratch\nCOPY --from=x / /\nCOPY --from=y / /\n', { resolveBaseConfig }), stall]);
    expect((g as { stages: unknown[] }).stages).toHaveLength(3);
  });
});

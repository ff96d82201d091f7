import { describe, expect, it } from 'vitest';
import { plan, stepOf, target } from './graph-helpers.js';

describe('ARG scoping', () => {
  it('uses global ARGs in FROM and lets --build-arg override their defaults', async () => {
    const text = 'ARG BASE=alpine\nARG TAG=3\nFROM ${BASE}:${TAG}\n';
    expect(target(await plan(text)).base).toEqual({ kind: 'image', ref: 'alpine:3' });
    expect(target(await plan(text, { buildArgs: { TAG: '4' } })).base).toEqual({ kind: 'image', ref: 'alpine:4' });
  });

  it('hides global ARGs inside a stage until re-imported with ARG NAME', async () => {
    const g = await plan('ARG V=1\nFROM x\nRUN echo a\nARG V\nRUN echo b\n');
    const [before, , after] = target(g).steps;
    expect(before?.env).not.toContain('V=1');
    expect(after?.env).toContain('V=1');
  });

  it('lets a stage ARG default use earlier variables and a --build-arg win over it', async () => {
    const text = 'FROM x\nENV A=a\nARG B=${A}-b\nRUN echo\n';
    expect(target(await plan(text)).steps[2]?.env).toContain('B=a-b');
    expect(target(await plan(text, { buildArgs: { B: 'cli' } })).steps[2]?.env).toContain('B=cli');
  });

  it('sees an ARG only from its declaration on', async () => {
    const g = await plan('FROM x\nWORKDIR /${V:-unset}\nARG V=set\nWORKDIR /${V:-unset}\n');
    expect(target(g).steps.map((s) => (s.kind === 'workdir' ? s.path : ''))).toEqual(['/unset', '', '/set']);
  });

  it('lets an ARG with a value replace an earlier ENV in the step env but not in the image config, as BuildKit', async () => {
    const g = await plan('FROM x\nENV X=1\nARG X=2\nRUN echo $X\nENV X=3\nRUN echo $X\n');
    const stage = target(g);
    const [, , first, , second] = stage.steps;
    expect(first?.env).toContain('X=2');
    expect(first?.createdBy).toBe('RUN |1 X=2 /bin/sh -c echo $X # buildkit');
    expect(second?.env).toContain('X=3');
    expect(second?.createdBy).toBe('RUN |1 X=3 /bin/sh -c echo $X # buildkit');
    expect(stage.config.Env).toContain('X=3');
    expect(target(await plan('FROM x\nENV X=1\nARG X=2\n')).config.Env).toContain('X=1');
  });

  it('lets ENV override an ARG of the same name', async () => {
    const g = await plan('FROM x\nARG V=arg\nENV V=env\nWORKDIR /$V\n');
    expect(stepOf(target(g).steps[2], 'workdir').path).toBe('/env');
  });

  it('provides the platform args globally and in stages that declare them', async () => {
    const g = await plan('FROM --platform=$BUILDPLATFORM x AS b\nARG TARGETARCH BUILDVARIANT TARGETPLATFORM\nRUN echo\n');
    const stage = target(g);
    expect(stage.base).toEqual({ kind: 'image', ref: 'x', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
    expect(stage.steps[1]?.env).toEqual(expect.arrayContaining(['TARGETARCH=amd64', 'BUILDVARIANT=v8', 'TARGETPLATFORM=linux/amd64']));
  });

  it('sets TARGETSTAGE to the target stage name', async () => {
    const g = await plan('FROM x AS one\nFROM x AS two\nARG TARGETSTAGE\nRUN echo\n', { target: 'two' });
    expect(target(g).steps[1]?.env).toContain('TARGETSTAGE=two');
  });

  it('passes undeclared proxy args to RUN outside env and history, declared ones inside', async () => {
    const buildArgs = { HTTP_PROXY: 'http://p', no_proxy: 'local' };
    const g = await plan('FROM x\nRUN echo a\nARG no_proxy\nRUN echo b\n', { buildArgs });
    const [a, , b] = target(g).steps;
    expect(stepOf(a, 'run').proxyEnv).toEqual(['HTTP_PROXY=http://p', 'no_proxy=local']);
    expect(a?.env.join(' ')).not.toMatch(/proxy/i);
    expect(stepOf(b, 'run').proxyEnv).toEqual(['HTTP_PROXY=http://p']);
    expect(b?.createdBy).toBe('RUN |1 no_proxy=local /bin/sh -c echo b # buildkit');
  });

  it('inherits ARGs declared in a parent stage', async () => {
    const g = await plan('FROM x AS base\nARG V=1\nFROM base\nRUN echo\n');
    expect(target(g).steps[0]?.env).toContain('V=1');
  });

  it("lists a parent stage's ARGs first in RUN history, as current BuildKit (dispatchState.init) does", async () => {
    const text = 'ARG TAG=latest\nFROM x AS base\nARG TAG\nARG UNSET\nFROM base\nARG EXTRA=e\nARG TAG\nRUN echo\n';
    const run = target(await plan(text)).steps.find((s) => s.kind === 'run');
    expect(run?.createdBy).toBe('RUN |3 TAG=latest UNSET= EXTRA=e /bin/sh -c echo # buildkit');
  });

  it('keeps the value an earlier ARG set when the name is declared again without one', async () => {
    const g = await plan('FROM x\nARG V=1\nARG V\nRUN echo\n');
    const stage = target(g);
    expect(stage.steps[2]?.env).toContain('V=1');
    expect(stage.history.map((h) => h.createdBy)).toEqual(['ARG V=1', 'ARG V', 'RUN |1 V=1 /bin/sh -c echo # buildkit']);
  });

  it('records the value each ARG got in its history: --build-arg, default or global', async () => {
    const g = await plan('ARG G=glob\nFROM x\nARG G\nARG D=def\nARG B=def\nARG N\n', { buildArgs: { B: 'cli' } });
    expect(target(g).history.map((h) => h.createdBy)).toEqual(['ARG G=glob', 'ARG D=def', 'ARG B=cli', 'ARG N']);
  });
});

describe('ENV and expansion', () => {
  it('makes every substitution of one ENV see the values from before it', async () => {
    const g = await plan('FROM x\nENV A=1\nENV A=2 B=$A\n');
    expect(target(g).config.Env).toEqual(expect.arrayContaining(['A=2', 'B=1']));
  });

  it('expands with the base image ENV and keeps its PATH', async () => {
    const g = await plan('FROM img\nWORKDIR $HOME/app\n', { images: { img: { Env: ['HOME=/root', 'PATH=/bin'] } } });
    const stage = target(g);
    expect(stepOf(stage.steps[0], 'workdir').path).toBe('/root/app');
    expect(stage.config.Env).toEqual(['HOME=/root', 'PATH=/bin']);
  });

  it('adds the default PATH when the base has none', async () => {
    expect(target(await plan('FROM scratch\nENV A=1\n')).config.Env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=1']);
  });

  it('reports an expansion error at the instruction', async () => {
    const g = plan('FROM x\nWORKDIR ${V:?must be set}\n');
    await expect(g).rejects.toMatchObject({ code: 'dockerfile-expansion', range: { start: { line: 2 } } });
  });
});

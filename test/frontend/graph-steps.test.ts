import { describe, expect, it } from 'vitest';
import { plan, planError, stepOf, target } from './graph-helpers.js';

describe('RUN steps', () => {
  it('runs shell form under the current SHELL and exec form as written', async () => {
    const g = await plan('FROM x\nRUN echo $HOME\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nRUN a | b\nRUN ["ls", "-l"]\n');
    const [sh, , bash, exec] = target(g).steps;
    expect(stepOf(sh, 'run').args).toEqual(['/bin/sh', '-c', 'echo $HOME']);
    expect(stepOf(bash, 'run').args).toEqual(['/bin/bash', '-eo', 'pipefail', '-c', 'a | b']);
    expect(stepOf(exec, 'run').args).toEqual(['ls', '-l']);
    expect(sh?.createdBy).toBe('RUN /bin/sh -c echo $HOME # buildkit');
  });

  it('runs a lone heredoc body through the shell, tab-stripped for <<-', async () => {
    const g = await plan('FROM x\nRUN <<-EOF\n\techo one\n\techo two\nEOF\n');
    expect(stepOf(target(g).steps[0], 'run').args).toEqual(['/bin/sh', '-c', 'echo one\necho two\n']);
  });

  it('writes a shebang heredoc to a file and executes it', async () => {
    const g = await plan('FROM x\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n');
    const run = stepOf(target(g).steps[0], 'run');
    expect(run.files).toEqual([{ path: '/dev/pipes/EOF', content: '#!/usr/bin/env python3\nprint(1)\n', mode: 0o755 }]);
    expect(run.args).toEqual(['/bin/sh', '-c', '/dev/pipes/EOF']);
  });

  it('hands other heredoc lines to the shell with the bodies appended', async () => {
    const g = await plan('FROM x\nRUN <<A cat > /a && <<B cat > /b\n1\nA\n2\nB\n');
    expect(stepOf(target(g).steps[0], 'run').args).toEqual(['/bin/sh', '-c', '<<A cat > /a && <<B cat > /b\n1\nA\n2\nB']);
  });

  it('types mounts with expanded values, defaults and targets under WORKDIR', async () => {
    const g = await plan(
      'FROM x\nARG ID=go\nWORKDIR /src\nRUN --mount=type=cache,id=$ID,target=cache,sharing=locked ' +
        '--mount=type=secret,id=tok --mount=type=ssh --mount=type=tmpfs,target=/t,size=64m make\n',
    );
    expect(stepOf(target(g).steps[2], 'run').mounts).toEqual([
      { type: 'cache', target: '/src/cache', id: 'go', readonly: false, sharing: 'locked', mode: 0o755, uid: 0, gid: 0 },
      { type: 'secret', id: 'tok', target: '/run/secrets/tok', required: false, mode: 0o400, uid: 0, gid: 0 },
      { type: 'ssh', id: 'default', target: '/run/buildkit/ssh_agent.0', required: false, mode: 0o600, uid: 0, gid: 0 },
      { type: 'tmpfs', target: '/t', size: 64 * 1024 * 1024 },
    ]);
  });

  it("sets SSH_AUTH_SOCK to the first SSH mount's socket, unless the env has one (BuildKit llb exec)", async () => {
    const g = await plan(
      'FROM x\nRUN --mount=type=ssh,id=a,target=/s/a --mount=type=ssh echo\nRUN echo\nENV SSH_AUTH_SOCK=/mine\nRUN --mount=type=ssh echo\n',
    );
    const [first, second, , third] = target(g).steps;
    expect(first?.env).toContain('SSH_AUTH_SOCK=/s/a');
    expect(second?.env.join(' ')).not.toContain('SSH_AUTH_SOCK');
    expect(third?.env.filter((e) => e.startsWith('SSH_AUTH_SOCK='))).toEqual(['SSH_AUTH_SOCK=/mine']);
  });

  it('applies BuildKit mount validation', async () => {
    const errors = await Promise.all(
      [
        'RUN --mount=type=bind,target=/a,mode=0755 a',
        'RUN --mount=type=bind,target=/a,size=1m a',
        'RUN --mount=type=secret,id=a,from=b a',
        'RUN --mount=type=bind,target=/a,sharing=locked a',
        'RUN --mount=type=volume,target=/a a',
        'RUN --mount=type=cache a',
        'RUN --mount=type=bind,target=/a,ro=maybe a',
      ].map((line) => planError(`FROM x\n${line}\n`)),
    );
    expect(errors.map((e) => e.message)).toEqual([
      'mode not allowed for "bind" type mounts',
      "unexpected key 'size' for mount type 'bind'",
      'secret mount should not have a from',
      'invalid cache sharing set for bind mount',
      'unsupported mount type "volume"',
      'mount type cache requires a target',
      'invalid value for ro: maybe',
    ]);
  });

  it('records network and security modes', async () => {
    const run = stepOf(target(await plan('FROM x\nRUN --network=host --security=insecure a\n')).steps[0], 'run');
    expect([run.network, run.security]).toEqual(['host', 'insecure']);
  });
});

describe('COPY, ADD and WORKDIR steps', () => {
  it('expands sources, destination and flags but not --from', async () => {
    const g = await plan('FROM x AS b\nFROM x\nARG D=/dst U=app\nCOPY --from=b --chown=$U --chmod=755 --exclude=$D/x ${D}/a $D/\n');
    expect(target(g).steps[1]).toMatchObject({
      kind: 'copy',
      isAdd: false,
      sources: ['/dst/a'],
      dest: '/dst/',
      chown: 'app',
      chmod: '755',
      exclude: ['/dst/x'],
      from: { kind: 'stage', index: 0 },
      display: 'COPY --from=b --chown=app --chmod=755 /dst/a /dst/',
      createdBy: 'COPY --chown=app --chmod=755 /dst/a /dst/ # buildkit',
    });
  });

  it("records BuildKit's COPY history: --parents, --chown, --chmod, sources, heredocs as <<NAME, dest", async () => {
    const g = await plan('FROM x\nCOPY --link --parents --chmod=755 a/b <<EOF /bin/ping.sh\necho ping\nEOF\nCOPY --from=x --chown=1:2 /s /d\n');
    expect(target(g).history.map((h) => h.createdBy)).toEqual([
      'COPY --parents --chmod=755 a/b <<EOF /bin/ping.sh # buildkit',
      'COPY --chown=1:2 /s /d # buildkit',
    ]);
  });

  it('expands heredoc sources unless the delimiter is quoted, keeping quotes', async () => {
    const g = await plan('FROM x\nENV N=me\nCOPY <<a <<"b" /d/\n"$N"\na\n$N\nb\n');
    expect(stepOf(target(g).steps[1], 'copy').heredocSources).toEqual([
      { name: 'a', content: '"me"\n', chomp: false },
      { name: 'b', content: '$N\n', chomp: false },
    ]);
  });

  it('types ADD options', async () => {
    const g = await plan('FROM x\nADD --keep-git-dir --checksum=sha256:ab --unpack https://x/y.tar /y\n');
    expect(target(g).steps[0]).toMatchObject({ kind: 'copy', isAdd: true, keepGitDir: true, checksum: 'sha256:ab', unpack: true });
  });

  it("records WORKDIR as BuildKit's NormalizeWorkdir: absolute as written, relative joined and cleaned", async () => {
    const g = await plan('FROM x\nWORKDIR /usr/src/app/\nRUN pwd\nWORKDIR lib/\nWORKDIR /a//b/\n');
    const stage = target(g);
    expect(stage.history.map((h) => h.createdBy)).toEqual([
      'WORKDIR /usr/src/app/',
      'RUN /bin/sh -c pwd # buildkit',
      'WORKDIR /usr/src/app/lib',
      'WORKDIR /a//b/',
    ]);
    expect(stage.steps.map((s) => (s.kind === 'workdir' ? s.path : s.workdir))).toEqual(['/usr/src/app', '/usr/src/app/', '/usr/src/app/lib', '/a/b']);
    expect(stage.config.WorkingDir).toBe('/a//b/');
  });

  it('gives a FROM scratch stage WorkingDir / (BuildKit emptyImage), and an image stage its base one', async () => {
    expect(target(await plan('FROM scratch\nCOPY a /\n')).config.WorkingDir).toBe('/');
    expect(target(await plan('FROM img\n', { images: { img: { WorkingDir: '/w' } } })).config.WorkingDir).toBe('/w');
    expect(target(await plan('FROM img\n', { images: { img: {} } })).config.WorkingDir).toBeUndefined();
  });

  it('resolves relative WORKDIR against the previous one', async () => {
    const g = await plan('FROM x\nWORKDIR /a\nWORKDIR b/\nWORKDIR ../c\nRUN pwd\n');
    const stage = target(g);
    expect(stage.steps.slice(0, 3).map((s) => stepOf(s, 'workdir').path)).toEqual(['/a', '/a/b', '/a/c']);
    expect(stage.steps[3]?.workdir).toBe('/a/c');
    expect(stage.config.WorkingDir).toBe('/a/c');
  });
});

describe('image config effects', () => {
  it('sets the runtime config and records history for every instruction', async () => {
    const g = await plan(
      'FROM x\nLABEL a=1 b="two words"\nEXPOSE 80 53/udp 8000-8001\nVOLUME /data\nUSER app\nSTOPSIGNAL SIGINT\n' +
        'HEALTHCHECK --interval=5s --retries=3 CMD curl -f localhost\nMAINTAINER me\nONBUILD RUN echo child\n' +
        'ENTRYPOINT ["/entry"]\nCMD ["serve"]\n',
    );
    const stage = target(g);
    expect(stage.config).toMatchObject({
      Labels: { a: '1', b: 'two words' },
      ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} },
      Volumes: { '/data': {} },
      User: 'app',
      StopSignal: 'SIGINT',
      Healthcheck: { Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 5e9, Retries: 3 },
      OnBuild: ['RUN echo child'],
      Entrypoint: ['/entry'],
      Cmd: ['serve'],
    });
    expect(stage.author).toBe('me');
    // As BuildKit's dispatchOnbuild, ONBUILD stores its trigger and records no history.
    expect(stage.history).toEqual([
      { createdBy: 'LABEL a=1 b=two words', emptyLayer: true },
      { createdBy: 'EXPOSE [53/udp 80/tcp 8000/tcp 8001/tcp]', emptyLayer: true },
      { createdBy: 'VOLUME [/data]', emptyLayer: true },
      { createdBy: 'USER app', emptyLayer: true },
      { createdBy: 'STOPSIGNAL SIGINT', emptyLayer: true },
      { createdBy: 'HEALTHCHECK &{["CMD-SHELL" "curl -f localhost"] "5s" "0s" "0s" "0s" \'\\x03\'}', emptyLayer: true },
      { createdBy: 'MAINTAINER me', emptyLayer: true },
      { createdBy: 'ENTRYPOINT ["/entry"]', emptyLayer: true },
      { createdBy: 'CMD ["serve"]', emptyLayer: true },
    ]);
  });

  it('drops an inherited CMD when ENTRYPOINT is set, but keeps one set in the stage', async () => {
    const images = { img: { Cmd: ['base-cmd'] } };
    expect(target(await plan('FROM img\nENTRYPOINT ["e"]\n', { images })).config.Cmd).toBeNull();
    expect(target(await plan('FROM img\nCMD ["c"]\nENTRYPOINT ["e"]\n', { images })).config.Cmd).toEqual(['c']);
  });

  it('sets ArgsEscaped for CMD in either form, as BuildKit dispatchCmd does, and not for ENTRYPOINT', async () => {
    expect(target(await plan('FROM x\nCMD echo hi\n')).config.ArgsEscaped).toBe(true);
    expect(target(await plan('FROM x\nCMD ["echo", "hi"]\n')).config.ArgsEscaped).toBe(true);
    expect(target(await plan('FROM x\nENTRYPOINT ["e"]\n')).config.ArgsEscaped).toBeUndefined();
  });

  it('wraps shell-form CMD and ENTRYPOINT in the SHELL', async () => {
    const stage = target(await plan('FROM x\nSHELL ["/bin/bash", "-c"]\nCMD echo hi\n'));
    expect(stage.config.Cmd).toEqual(['/bin/bash', '-c', 'echo hi']);
    expect(stage.history[1]?.createdBy).toBe('CMD ["/bin/bash" "-c" "echo hi"]');
  });

  it('disables an inherited healthcheck with HEALTHCHECK NONE', async () => {
    const g = await plan('FROM img\nHEALTHCHECK NONE\n', { images: { img: { Healthcheck: { Test: ['CMD', 'x'] } } } });
    expect(target(g).config.Healthcheck).toEqual({ Test: ['NONE'] });
  });

  it("parses EXPOSE as BuildKit's convert_expose: protocol case, port 0, host parts dropped", async () => {
    const g = await plan('FROM x\nEXPOSE 0 80/TCP 127.0.0.1:8080:81 [::1]:9000-9001:90-91/sctp\n');
    expect(Object.keys(target(g).config.ExposedPorts ?? {})).toEqual(['0/tcp', '81/tcp', '80/tcp', '90/sctp', '91/sctp']);
  });

  it('rejects invalid ports and stop signals', async () => {
    expect((await planError('FROM x\nEXPOSE 70000\n')).message).toBe('invalid containerPort: 70000');
    expect((await planError('FROM x\nEXPOSE 80/tcpx\n')).message).toBe('invalid port: "80/tcpx": invalid proto: tcpx');
    expect((await planError('FROM x\nEXPOSE /tcp\n')).message).toBe('invalid port: "/tcp": no port specified');
    expect((await planError('FROM x\nEXPOSE 90-80\n')).message).toBe('invalid containerPort: 90-80');
    expect((await planError('FROM x\nEXPOSE 1.2.3:80:80\n')).message).toBe('invalid IP address: 1.2.3');
    expect((await planError('FROM x\nSTOPSIGNAL SIGNOPE\n')).message).toBe('invalid signal: SIGNOPE');
  });
});

describe('COPY sources', () => {
  it('refuses a URL source for COPY, even one that comes from a variable', async () => {
    expect((await planError('FROM x\nARG U=https://example.com/a\nCOPY $U /a\n')).message).toBe("source can't be a URL for COPY");
  });
});

describe('ENTRYPOINT forms', () => {
  it('clears the entrypoint with an empty exec form', async () => {
    const g = await plan('FROM img\nENTRYPOINT []\n', { images: { img: { Entrypoint: ['/e'] } } });
    expect(target(g).config.Entrypoint).toBeNull();
  });
});

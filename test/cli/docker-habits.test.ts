// The CLI as docker users drive it: bad flags, docker's no-op flags, unknown commands, a
// missing context, history, --format, save | load, run -i, prune -f, tags checked first.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv, repo, tsbuild, type E2eEnv } from '../e2e/helpers.js';
import { busyboxMissing } from '../helpers/busybox-rootfs.js';

const COMMANDS = [
  'build',
  'debug graph',
  'run',
  'images',
  'inspect',
  'history',
  'import',
  'load',
  'save',
  'tag',
  'rmi',
  'pull',
  'push',
  'login',
  'logout',
  'du',
  'prune',
  'fsck',
];

describe.skipIf(busyboxMissing())('docker habits', () => {
  let env: E2eEnv;
  const cli = (args: string[], input?: string) => tsbuild(args, { root: env.root, ...(input !== undefined ? { input } : {}) });

  beforeAll(async () => {
    env = await e2eEnv('multistage');
    mkdirSync(join(env.work, 'app'));
    writeFileSync(join(env.work, 'app/Dockerfile'), 'FROM busybox\nENV FOO=bar\nLABEL team=core\nRUN echo hi > /hello\nCMD ["sh"]\n');
    const built = cli(['build', '-q', '-t', 'app:1', join(env.work, 'app')]);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
  }, 60_000);

  afterAll(() => env?.dispose());

  it.each(COMMANDS)('%s answers an unknown flag with its usage line, the flag and exit 2', (command) => {
    const r = cli([...command.split(' '), '--bogus-flag']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown flag: --bogus-flag');
    expect(r.stderr).toContain(`usage: tsbuild ${command}`);
    expect(r.stderr).not.toMatch(/internal error|TypeError| {4}at /);
  });

  it('debug without its subcommand names an unknown flag too', () => {
    const r = cli(['debug', '--bogus-flag']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown flag: --bogus-flag\nusage: tsbuild debug graph');
  });

  it('suggests the closest flag', () => {
    const r = cli(['build', '--tagg', 'x', '.']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown flag: --tagg (did you mean --tag?)');
    expect(cli(['images', '--quite']).stderr).toContain('(did you mean --quiet?)');
  });

  it('names a flag that lacks its value', () => {
    const r = cli(['build', '--tag']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('flag needs an argument: --tag');
  });

  it('accepts docker build flags that change nothing here', () => {
    const r = cli(['build', '--rm', '--force-rm', '--load', '--provenance=false', '--sbom=false', '-q', '-t', 'app:noop', join(env.work, 'app')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
  });

  it('refuses a flag it does not have (--add-host parses, it does not crash)', () => {
    const r = cli(['build', '--no-such', join(env.work, 'app')]);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toContain('internal error');
  });

  it('says unknown command with the closest one, exit 2', () => {
    const ps = cli(['ps']);
    expect(ps.status).toBe(2);
    expect(ps.stderr).toContain('unknown command "ps"');
    const typo = cli(['imgaes']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('unknown command "imgaes" (did you mean "images"?)');
  });

  it('says a missing context as docker does, exit 1', () => {
    for (const args of [['build', './no-such-dir'], ['./no-such-dir']]) {
      const r = cli(args);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('ERROR: unable to prepare context: path "./no-such-dir" not found\n');
    }
  });

  it('refuses a bad -t before any step runs', () => {
    const r = cli(['build', '--progress=plain', '-t', 'BAD:Tag', join(env.work, 'app')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('invalid tag "BAD:Tag": repository name must be lowercase');
    expect(r.stderr).not.toContain('load build context');
    const push = cli(['build', '--progress=plain', '--push', join(env.work, 'app')]);
    expect(push.status).toBe(2);
    expect(push.stderr).toContain('pushing needs a name');
    expect(push.stderr).not.toContain('load build context');
  });

  it('names the failing step with its Dockerfile excerpt when a COPY source is missing', () => {
    mkdirSync(join(env.work, 'nocfg'));
    writeFileSync(join(env.work, 'nocfg/Dockerfile'), 'FROM busybox\nWORKDIR /app\nCOPY config/ /etc/app/\n');
    const r = cli(['build', '--progress=plain', join(env.work, 'nocfg')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/#\d+ \[3\/3\] COPY config\/ \/etc\/app\/\n#\d+ ERROR: "config\/" not found/);
    expect(r.stderr).toContain(' > [3/3] COPY config/ /etc/app/:\n');
    expect(r.stderr).toContain('   3 | >>> COPY config/ /etc/app/\n');
    expect(r.stderr).toMatch(/ERROR: failed to solve: "config\/" not found in the build context/);
  });

  it('says a --target typo in one sentence, with no stray file line', () => {
    const r = cli(['build', '--progress=quiet', '--target', 'nope', join(env.work, 'app')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('ERROR: target stage "nope" could not be found\nhint: name a stage with FROM <image> AS <name>\n');
  });

  it('build takes --ulimit, --shm-size, --annotation and --build-arg NAME from the environment', () => {
    mkdirSync(join(env.work, 'flags'));
    writeFileSync(
      join(env.work, 'flags/Dockerfile'),
      'FROM busybox\nARG FROM_ENV\nRUN echo "nofile=$(ulimit -n):$(ulimit -Hn) shm=$(df -k /dev/shm | tail -1 | awk \'{print $2}\') arg=$FROM_ENV"\n',
    );
    const r = spawnSync(
      process.execPath,
      [
        join(repo, 'bin/tsbuild'),
        'build',
        '--progress=plain',
        '--ulimit',
        'nofile=1000:2000',
        '--shm-size',
        '128m',
        '--annotation',
        'org.example.a=1',
        '--annotation',
        'manifest:org.example.b=2',
        '--build-arg',
        'FROM_ENV',
        '-t',
        'flags:1',
        join(env.work, 'flags'),
      ],
      { env: { ...process.env, TSBUILD_ROOT: env.root, FROM_ENV: 'from-the-env' }, encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/#\d+ \d+\.\d{3} nofile=1000:2000 shm=131072 arg=from-the-env\n/);
    const digest = cli(['inspect', '-f', '{{.ManifestDigest}}', 'flags:1']).stdout.trim();
    const saved = join(env.work, 'flags-oci');
    expect(cli(['save', '--format', 'oci', '-o', `${saved}/`, 'flags:1']).status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(saved, 'blobs/sha256', digest.slice(7)), 'utf8')) as { annotations?: Record<string, string> };
    expect(manifest.annotations).toEqual({ 'org.example.a': '1', 'org.example.b': '2' });
    expect(cli(['build', '--ulimit', 'nofile=x', '.']).stderr).toContain('--ulimit "nofile=x": write NAME=SOFT[:HARD]');
    expect(cli(['build', '--annotation', 'index:a=b', '.']).stderr).toContain('index: annotations are not supported');
  });

  it('shows history: CREATED, CREATED BY, SIZE, COMMENT, newest first', () => {
    const r = cli(['history', 'app:1']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
    expect(lines[1]).toMatch(/^[0-9a-f]{12} .* CMD \["sh"\] +0B +buildkit\.dockerfile\.v0$/);
    expect(lines.some((l) => /RUN \/bin\/sh -c echo hi > \/hello/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^<missing> .*tsbuild import +\d/);
    const fmt = cli(['history', '--no-trunc', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Size}}', 'app:1']);
    expect(fmt.stdout.split('\n')[0]).toMatch(/^sha256:[0-9a-f]{64}\|CMD \["sh"\]\|0B$/);
  });

  it('formats images with Go templates, table and json', () => {
    const ids = cli(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', 'app']);
    expect(ids.stdout).toMatch(/^app:1 [0-9a-f]{12}\napp:noop [0-9a-f]{12}\n$|^app:noop [0-9a-f]{12}\napp:1 [0-9a-f]{12}\n$/);
    const table = cli(['images', '--format', 'table {{.Repository}}\\t{{.Tag}}', 'app:1']);
    expect(table.stdout).toMatch(/^REPOSITORY +TAG\napp +1\n$/);
    const json = JSON.parse(cli(['images', '--format', 'json', 'app:1']).stdout) as Record<string, string>;
    expect(json).toMatchObject({ Repository: 'app', Tag: '1' });
    const bad = cli(['images', '--format', '{{.Nope}}']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("can't evaluate field Nope");
  });

  it('filters images: REPO[:TAG], dangling, reference, label, -q', () => {
    expect(cli(['images', '--format', '{{.Repository}}:{{.Tag}}', 'busybox']).stdout).toBe('busybox:latest\n');
    expect(cli(['images', '--format', '{{.Tag}}', '--filter', 'reference=app:n*']).stdout).toBe('noop\n');
    expect(cli(['images', '--format', '{{.Repository}}', '--filter', 'label=team=core', '--filter', 'reference=app:1']).stdout).toBe('app\n');
    expect(cli(['images', '-q', '--filter', 'label=team=nobody']).stdout).toBe('');
    expect(cli(['images', '-q', '--filter', 'dangling=true']).stdout).toBe('');
    expect(cli(['images', '-q', 'busybox']).stdout).toMatch(/^[0-9a-f]{12}\n$/);
    expect(cli(['images', '--filter', 'since=x']).status).toBe(2);
  });

  it('formats inspect with Go templates, for several images', () => {
    const r = cli(['inspect', '--format', '{{.Id}} {{.ID}} {{.Config.Env}} {{index .Config.Labels "team"}} {{json .Config.Cmd}}', 'app:1', 'app:noop']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^(sha256:[0-9a-f]{64}) \1 \[PATH=\S+ FOO=bar\] core \["sh"\]$/);
    expect(cli(['inspect', '-f', '{{json .Config}}', 'app:1']).stdout).toContain('"FOO=bar"');
    expect(cli(['inspect', '-f', '{{range .Config.Env}}{{println .}}{{end}}', 'app:1']).stdout).toContain('FOO=bar\n');
    const refused = cli(['inspect', '-f', '{{template "x"}}', 'app:1']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('{{template}} is not supported');
    const missing = cli(['inspect', 'app:1', 'nope:1']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no such image: nope:1');
  });

  it('pipes save into load, and import - reads a tar on stdin', () => {
    const other = join(env.work, 'other-root');
    const saved = spawnSync(process.execPath, [join(repo, 'bin/tsbuild'), 'save', 'app:1'], {
      env: { ...process.env, TSBUILD_ROOT: env.root },
      maxBuffer: 1 << 30,
    });
    expect(saved.status).toBe(0);
    expect(saved.stdout.length).toBeGreaterThan(1024);
    const loaded = spawnSync(process.execPath, [join(repo, 'bin/tsbuild'), 'load'], { env: { ...process.env, TSBUILD_ROOT: other }, input: saved.stdout });
    expect(loaded.stderr.toString()).toMatch(/^[0-9a-f]{12}: Loading layer\n[0-9a-f]{12}: Loaded\n/);
    expect(loaded.stdout.toString()).toBe('Loaded image: app:1\n');
    const id = cli(['inspect', '-f', '{{.Id}}', 'app:1']).stdout;
    expect(tsbuild(['inspect', '-f', '{{.Id}}', 'app:1'], { root: other }).stdout).toBe(id);
    const rootfs = spawnSync('tar', ['-C', join(env.root, '..', 'rootfs'), '-cf', '-', '.'], { maxBuffer: 1 << 30 }).stdout;
    const imported = spawnSync(process.execPath, [join(repo, 'bin/tsbuild'), 'import', '-', '-t', 'bb:stdin'], {
      env: { ...process.env, TSBUILD_ROOT: other },
      input: rootfs,
    });
    expect(imported.status).toBe(0);
    expect(tsbuild(['run', 'bb:stdin', 'echo', 'ok'], { root: other }).stdout).toBe('ok\n');
  });

  it('save refuses a terminal as stdout', () => {
    if (spawnSync('script', ['--version']).status !== 0) return expect.fail('script(1) from util-linux is needed');
    const r = spawnSync('script', ['-qec', `${process.execPath} ${join(repo, 'bin/tsbuild')} save app:1`, '/dev/null'], {
      env: { ...process.env, TSBUILD_ROOT: env.root },
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('refusing to write an archive to the terminal');
  });

  it('run -i passes stdin; without -i the command gets none', () => {
    expect(cli(['run', '-i', 'app:1', 'sh', '-c', 'cat; echo end'], 'from stdin\n').stdout).toBe('from stdin\nend\n');
    expect(cli(['run', 'app:1', 'sh', '-c', 'cat; echo end'], 'from stdin\n').stdout).toBe('end\n');
    expect(cli(['run', '-it', 'app:1', 'sh', '-c', 'read x; echo got $x'], 'line\n').stdout).toBe('got line\n');
  });

  it('run -it from a terminal copies the input: the host terminal never reaches the sandbox', () => {
    const cmd = `printf 'echo typed-in\\n' | ${process.execPath} ${join(repo, 'bin/tsbuild')} run -i app:1 sh -c 'readlink /proc/self/fd/0; cat'`;
    const piped = spawnSync('sh', ['-c', cmd], { env: { ...process.env, TSBUILD_ROOT: env.root }, encoding: 'utf8' });
    expect(piped.stdout).toMatch(/^pipe:\[\d+\]\necho typed-in\n$/);
    // Under script(1) stdin is a pseudo-terminal: the command gets a socket fed from it instead.
    const tty = spawnSync(
      'script',
      ['-qec', `${process.execPath} ${join(repo, 'bin/tsbuild')} run -i app:1 sh -c 'readlink /proc/self/fd/0'`, '/dev/null'],
      {
        env: { ...process.env, TSBUILD_ROOT: env.root },
        encoding: 'utf8',
        input: '',
      },
    );
    expect(tty.stdout).toMatch(/socket:\[\d+\]/);
    expect(tty.stdout).not.toContain('/dev/pts');
  });

  it('run -it on a terminal is an interactive shell on a pseudo-terminal: size, Ctrl-C, exit code', async () => {
    // script(1) gives tsbuild a terminal of 30x100; what we write is what a person types.
    const child = spawn('script', ['-qec', `stty rows 30 cols 100; ${process.execPath} ${join(repo, 'bin/tsbuild')} run -it app:1 sh`, '/dev/null'], {
      env: { ...process.env, TSBUILD_ROOT: env.root },
    });
    let out = '';
    const waitFor = (pattern: RegExp): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(out)) {
            child.stdout.off('data', check);
            resolve();
          }
        };
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          check();
        });
        child.once('close', () => reject(new Error(`ended before ${pattern}: ${out}`)));
        check();
      });
    await waitFor(/\/ # /);
    // Markers are computed by the shell: the terminal echoes what is typed.
    child.stdin.write('echo "size=$(stty size)"; [ -t 0 ] && echo "tty=$((40 + 2))"\n');
    await waitFor(/tty=42/);
    expect(out).toContain('size=30 100');
    child.stdin.write('sleep 50; echo "not-$((2 + 3))"\n');
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.stdin.write('\x03');
    await waitFor(/\^C/);
    child.stdin.write('exit 7\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(out).not.toContain('not-5');
    // script(1) -e returns the command's exit code.
    expect(code).toBe(7);
  }, 30_000);

  it('Ctrl-C stops a running container, cleans up and exits 130', async () => {
    const child = spawn(process.execPath, [join(repo, 'bin/tsbuild'), 'run', 'app:1', 'sh', '-c', 'echo up; sleep 60'], {
      env: { ...process.env, TSBUILD_ROOT: env.root },
    });
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      if (!sent && d.toString().includes('up')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(existsSync(join(env.root, 'tmp')) ? readdirSync(join(env.root, 'tmp')) : []).toEqual([]);
  });

  it('run takes -e, --env-file and -v HOST:CTR[:ro]; -p is refused', () => {
    const dir = join(env.work, 'vol');
    mkdirSync(dir);
    writeFileSync(join(dir, 'in.txt'), 'host file\n');
    writeFileSync(join(env.work, 'env.list'), '# comment\nFROM_FILE=yes\n\nFROM_HOST\n');
    const r = spawnSync(
      process.execPath,
      [
        join(repo, 'bin/tsbuild'),
        'run',
        '--env-file',
        join(env.work, 'env.list'),
        '-e',
        'DIRECT=1',
        '-v',
        `${dir}:/data`,
        '-v',
        `${dir}/in.txt:/ro.txt:ro`,
        'app:1',
        'sh',
        '-c',
        'echo $FROM_FILE $FROM_HOST $DIRECT $FOO; cat /ro.txt; echo out > /data/out.txt; echo x >> /ro.txt || echo ro',
      ],
      { env: { ...process.env, TSBUILD_ROOT: env.root, FROM_HOST: 'h' }, encoding: 'utf8' },
    );
    expect(r.stdout).toBe('yes h 1 bar\nhost file\nro\n');
    expect(readdirSync(dir).sort()).toEqual(['in.txt', 'out.txt']);
    const p = cli(['run', '-p', '8080:80', 'app:1']);
    expect(p.status).toBe(2);
    expect(p.stderr).toContain('-p/--publish is not supported');
    expect(cli(['run', '-v', 'named:/data', 'app:1', 'true']).stderr).toContain('named volumes are not supported');
  });

  it('prune -f, rmi -f, tag errors as docker', () => {
    expect(cli(['prune', '-f']).status).toBe(0);
    expect(cli(['prune', '--force', '--all']).status).toBe(0);
    const badTag = cli(['tag', 'app:1', 'BAD:Tag']);
    expect(badTag.status).toBe(2);
    expect(badTag.stderr).toContain('Error parsing reference: "BAD:Tag" is not a valid repository/tag: invalid reference format');
    expect(cli(['tag', 'nope:1', 'x:1']).stderr).toContain('no such image: nope:1');
    expect(cli(['tag', 'app:1', 'app:two']).status).toBe(0);
    const id = cli(['inspect', '-f', '{{.Id}}', 'app:1']).stdout.trim();
    expect(cli(['rmi', id]).status).toBe(1);
    const removed = cli(['rmi', '-f', id]);
    expect(removed.status).toBe(0);
    expect(removed.stdout).toContain(`Deleted: ${id}`);
  });

  it('Ctrl-C cancels a running step: CANCELED, ERROR: canceled, nothing left, exit 130', async () => {
    mkdirSync(join(env.work, 'slow'));
    writeFileSync(join(env.work, 'slow/Dockerfile'), 'FROM busybox\nRUN echo started; sleep 60\n');
    const child = spawn(process.execPath, [join(repo, 'bin/tsbuild'), 'build', '--progress=plain', '-t', 'slow:1', join(env.work, 'slow')], {
      env: { ...process.env, TSBUILD_ROOT: env.root },
    });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // The step's own output line (`#4 0.051 started`), not its name: the step is running.
      if (!sent && /#\d+ \d+\.\d+ started/.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toMatch(/#\d+ CANCELED/);
    expect(stderr.trimEnd().endsWith('ERROR: canceled')).toBe(true);
    expect(existsSync(join(env.root, 'tmp')) ? readdirSync(join(env.root, 'tmp')) : []).toEqual([]);
    expect(cli(['images', '-q', 'slow']).stdout).toBe('');
  }, 60_000);
});

import { writeFile } from 'node:fs/promises';
import { build } from '../../api.js';
import { UsageError } from '../../errors.js';
import type { BuildOptions } from '../../solver/index.js';
import type { Command } from '../command.js';
import {
  parseAnnotations,
  parseByteSize,
  parseCacheFrom,
  parseCacheTo,
  parseKeyValues,
  parseOutput,
  parsePidsLimit,
  parseSecret,
  parseSsh,
  parseUlimit,
} from '../flag-values.js';
import { parseFlags } from '../parse-flags.js';
import { INSECURE_REGISTRY_OPTION } from '../registry-options.js';
import { createRenderer, type ProgressMode } from '../progress/index.js';
import { reportError } from '../report-error.js';
import { printBuildWarnings, printCheckFailure, runCheckOnly, traceFiles } from '../check-output.js';

const usage = `usage: tsbuild build [OPTIONS] CONTEXT
       tsbuild [OPTIONS] CONTEXT

Build an image from a Dockerfile. CONTEXT is a directory, or - for a tar stream on stdin.

options:
  -t, --tag NAME[:TAG]         name the image (repeatable)
  -f, --file FILE              Dockerfile path (default CONTEXT/Dockerfile; - reads stdin)
      --build-arg K[=V]        set a build argument (repeatable; K alone takes $K)
      --target STAGE           build this stage (default: the last one)
      --no-cache               run every step, ignoring the cache
      --no-cache-filter STAGE  ignore the cache for these stages (repeatable)
      --pull                   check the registry for a newer base image
      --label K=V              add an image label (repeatable)
      --network MODE           RUN network: default (outbound through slirp4netns), none or host
      --add-host HOST:IP       add an /etc/hosts entry to RUN steps (repeatable; IP host-gateway
                               is the address that reaches this machine, its loopback included)
      --secret id=ID,src=PATH|env=VAR   expose a secret to RUN --mount=type=secret
      --ssh default|ID=SOCKET  forward an SSH agent to RUN --mount=type=ssh
      --allow ENTITLEMENT      allow security.insecure or network.host (repeatable)
      --progress MODE          auto, tty, plain, rawjson or quiet (default auto)
      --check                  only run the Dockerfile build checks (exit 1 on warnings)
      --trace FILE             write the build's steps as a Chrome trace (Perfetto)
      --report FILE.html       write a page with the build's timeline and slowest steps
  -q, --quiet                  print only the image ID on stdout
      --iidfile FILE           write the image ID to FILE
      --metadata-file FILE     write the build result (digests) as JSON to FILE
  -o, --output SPEC            type=image|docker|oci|tar|local[,dest=PATH] or a directory (repeatable)
      --push                   push the tagged image to its registry (same as -o type=registry)
      --cache-to type=registry,ref=REF|type=local,dest=DIR[,mode=min|max]
                               export the build cache after the build (repeatable; mode=max
                               records every stage's steps, min only the target's)
      --cache-from type=registry,ref=REF|type=local,src=DIR
                               take steps from a cache written by --cache-to (repeatable)
      --platform P1[,P2…]      target platforms, e.g. linux/amd64,linux/arm64: one OCI index;
                               another architecture's RUN steps run under QEMU (binfmt_misc)
      --build-context NAME=DIR|docker-image://REF   a named context for FROM / COPY --from
      --memory SIZE            memory limit of each RUN step (e.g. 512m)
      --cpu-quota N / --cpu-period N   CFS quota and period of each RUN step (µs)
      --cpuset-cpus LIST       CPUs RUN steps may use (e.g. 0-1)
      --pids-limit N           processes and threads each RUN step may have at once (0: no limit)
      --shm-size SIZE          size of /dev/shm in RUN steps (default 64m)
      --ulimit NAME=SOFT[:HARD]  a resource limit of RUN steps (e.g. nofile=1024:2048; repeatable)
      --annotation K=V         add an annotation to the image manifest (repeatable; manifest:K=V too)
      --max-parallelism N      steps run at once (default: no limit)
      --insecure-registry HOST plain HTTP to this registry (repeatable)
      --root DIR               store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)

Accepted and ignored, as docker habits: --rm, --force-rm, --load, --provenance=…, --sbom=….

exit codes: 0 built, 1 build failed, 2 bad usage or Dockerfile, 130 canceled (Ctrl-C).
`;

/** Docker/buildx flags that describe what tsbuild always does (or cannot do), accepted and ignored. */
const DOCKER_NO_OPS = ['--rm', '--force-rm', '--load', '--provenance', '--sbom'];

const PROGRESS_MODES = new Set<ProgressMode>(['auto', 'tty', 'plain', 'rawjson', 'quiet']);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      tag: { type: 'string', short: 't', multiple: true },
      file: { type: 'string', short: 'f' },
      'build-arg': { type: 'string', multiple: true },
      target: { type: 'string' },
      'no-cache': { type: 'boolean' },
      'no-cache-filter': { type: 'string', multiple: true },
      pull: { type: 'boolean' },
      label: { type: 'string', multiple: true },
      network: { type: 'string' },
      'add-host': { type: 'string', multiple: true },
      secret: { type: 'string', multiple: true },
      ssh: { type: 'string', multiple: true },
      allow: { type: 'string', multiple: true },
      progress: { type: 'string' },
      check: { type: 'boolean' },
      trace: { type: 'string' },
      report: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      iidfile: { type: 'string' },
      'metadata-file': { type: 'string' },
      output: { type: 'string', short: 'o', multiple: true },
      'cache-to': { type: 'string', multiple: true },
      'cache-from': { type: 'string', multiple: true },
      push: { type: 'boolean' },
      platform: { type: 'string' },
      'build-context': { type: 'string', multiple: true },
      'max-parallelism': { type: 'string' },
      memory: { type: 'string' },
      'cpu-quota': { type: 'string' },
      'cpu-period': { type: 'string' },
      'cpuset-cpus': { type: 'string' },
      'pids-limit': { type: 'string' },
      'shm-size': { type: 'string' },
      ulimit: { type: 'string', multiple: true },
      annotation: { type: 'string', multiple: true },
      root: { type: 'string' },
      ...INSECURE_REGISTRY_OPTION,
    },
    usage,
    { ignored: DOCKER_NO_OPS },
  );
  if (positionals.length !== 1) {
    throw new UsageError(`tsbuild build needs exactly one CONTEXT argument (got ${positionals.length}); e.g. tsbuild build -t myapp .`);
  }
  const network = values.network ?? 'default';
  if (network !== 'default' && network !== 'none' && network !== 'host') {
    throw new UsageError(`--network ${network} is unknown; use default, none or host`);
  }
  const progress = (values.quiet ? 'quiet' : (values.progress ?? 'auto')) as ProgressMode;
  if (!PROGRESS_MODES.has(progress)) throw new UsageError(`--progress ${values.progress} is unknown; use auto, tty, plain, rawjson or quiet`);

  const contextArg = positionals[0]!;
  if (contextArg === '-' && values.file === '-') throw new UsageError('the context and the Dockerfile cannot both come from stdin');
  const outputs = (values.output ?? []).map(parseOutput);
  if (values.push) outputs.push({ type: 'registry' });
  const options: BuildOptions = {
    context: contextArg,
    tags: values.tag ?? [],
    buildArgs: parseKeyValues('--build-arg', values['build-arg'] ?? [], true),
    labels: parseKeyValues('--label', values.label ?? [], false),
    noCache: values['no-cache'] ?? false,
    noCacheFilter: values['no-cache-filter'] ?? [],
    pull: values.pull ?? false,
    network,
    addHosts: values['add-host'] ?? [],
    secrets: (values.secret ?? []).map(parseSecret),
    ssh: (values.ssh ?? []).map(parseSsh),
    allow: values.allow ?? [],
    outputs: outputs.length > 0 ? outputs : undefined,
    buildContexts: parseKeyValues('--build-context', values['build-context'] ?? [], false),
    cacheTo: (values['cache-to'] ?? []).map(parseCacheTo),
    cacheFrom: (values['cache-from'] ?? []).map(parseCacheFrom),
  };
  if (values.file === '-') options.dockerfileText = await readStdin();
  else if (values.file !== undefined) options.dockerfile = values.file;
  if (values.target !== undefined) options.target = values.target;
  if (values.platform !== undefined) options.platform = values.platform;
  if (values.root !== undefined) options.root = values.root;
  if (values['insecure-registry']) options.insecureRegistries = values['insecure-registry'];
  if (values['shm-size'] !== undefined) options.shmSize = parseByteSize('--shm-size', values['shm-size']);
  if (values.ulimit) options.ulimits = values.ulimit.map(parseUlimit);
  if (values.annotation) options.annotations = parseAnnotations(values.annotation);
  if (values['max-parallelism'] !== undefined) options.maxParallelism = Number(values['max-parallelism']);

  const limits = {
    ...(values.memory !== undefined ? { memory: parseByteSize('--memory', values.memory) } : {}),
    ...(values['cpu-quota'] !== undefined ? { cpuQuota: wholeNumber('--cpu-quota', values['cpu-quota']) } : {}),
    ...(values['cpu-period'] !== undefined ? { cpuPeriod: wholeNumber('--cpu-period', values['cpu-period']) } : {}),
    ...(values['cpuset-cpus'] !== undefined ? { cpusetCpus: values['cpuset-cpus'] } : {}),
    ...parsePidsLimit(values['pids-limit']),
  };
  if (Object.keys(limits).length > 0) options.limits = limits;

  if (values.check) return runCheckOnly(options, progress).catch(reportError);
  const renderer = createRenderer(progress, process.stderr);
  const trace = traceFiles({ trace: values.trace, report: values.report });
  options.onEvent = trace ? (e) => (renderer.onEvent(e), trace.onEvent(e)) : renderer.onEvent;
  // Ctrl-C or SIGTERM cancels: running steps are stopped and cleaned up, the build rejects
  // with BuildCanceledError (exit 130). A second one does not wait for the cleanup.
  const cancel = new AbortController();
  const onSignal = (): void => {
    if (cancel.signal.aborted) process.exit(130);
    cancel.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  options.signal = cancel.signal;
  try {
    const result = await build(options).finally(() => trace?.write());
    renderer.finish();
    printBuildWarnings(result.warnings, progress);
    if (values.iidfile) await writeFile(values.iidfile, result.imageId);
    if (values['metadata-file']) await writeFile(values['metadata-file'], `${JSON.stringify(result.metadata, null, 2)}\n`);
    if (values.quiet) process.stdout.write(`${result.imageId}\n`);
    return 0;
  } catch (err) {
    renderer.finish();
    printCheckFailure(err, progress);
    return reportError(err);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function wholeNumber(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} "${value}" must be a whole number`);
  return Number(value);
}

export const command = { name: 'build', summary: 'Build an image from a Dockerfile', usage, run } satisfies Command;

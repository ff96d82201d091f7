import { UsageError } from '../errors.js';
import type { CacheExportSpec, CacheImportSpec } from '../remote-cache/index.js';
import type { Ulimit } from '../executor/index.js';
import type { OutputSpec, SecretSource, SshSource } from '../solver/index.js';

/** `K=V` pairs into a record; `K` alone takes the value from the environment (as `docker build` does) or is dropped. */
export function parseKeyValues(flag: string, values: string[], fromEnv: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of values) {
    const eq = item.indexOf('=');
    if (eq === 0) throw new UsageError(`${flag} "${item}": the name before "=" is empty; write ${flag} NAME=VALUE`);
    if (eq < 0) {
      if (!fromEnv) throw new UsageError(`${flag} "${item}" has no value; write ${flag} ${item}=VALUE`);
      const env = process.env[item];
      if (env !== undefined) out[item] = env;
      continue;
    }
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `512m`, `1g`, `1048576` → bytes, as `docker build --memory` reads them. */
export function parseByteSize(flag: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i.exec(value.trim());
  if (!match) throw new UsageError(`${flag} "${value}" is not a size; write e.g. 512m or 2g`);
  return Math.round(Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!);
}

/** `--pids-limit N` as Docker reads it: a positive count, or 0 or -1 for no limit. */
export function parsePidsLimit(value: string | undefined): { pids?: number } {
  if (value === undefined) return {};
  if (!/^(-1|\d+)$/.test(value)) throw new UsageError(`--pids-limit "${value}" must be a whole number of processes (0 for no limit)`);
  const pids = Number(value);
  return pids > 0 ? { pids } : {};
}

/** Docker's CSV flag values: `type=local,dest=out`. */
export function parseCsvFields(flag: string, value: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of value.split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 1) throw new UsageError(`${flag} "${value}": "${part}" is not KEY=VALUE`);
    fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1));
  }
  return fields;
}

/** `-o type=docker,dest=x.tar`, or `-o DIR` (a local directory), or `-o -` (tar to stdout is not supported). */
export function parseOutput(value: string): OutputSpec {
  // As buildx: one field that does not start with type= is a directory, `=` in it or not.
  if (!value.includes(',') && !value.startsWith('type=')) {
    if (value === '-') throw new UsageError('-o - (tar on stdout) is not supported; write -o type=tar,dest=FILE');
    return { type: 'local', dest: value };
  }
  const f = parseCsvFields('--output', value);
  const type = f.get('type') ?? 'local';
  const dest = f.get('dest');
  const needDest = (t: 'docker' | 'oci' | 'tar' | 'local'): OutputSpec => {
    if (!dest) throw new UsageError(`--output type=${t} needs dest=PATH`);
    return { type: t, dest };
  };
  switch (type) {
    case 'image':
      return { type: 'image', push: f.get('push') === 'true' };
    case 'registry':
      return { type: 'registry' };
    case 'docker':
    case 'oci':
    case 'tar':
    case 'local':
      return needDest(type);
    default:
      throw new UsageError(`--output type=${type} is unknown; use image, docker, oci, tar, local or registry`);
  }
}

/** `--secret id=x,src=path` or `--secret id=x,env=VAR` (a bare `id=x` reads $x, as BuildKit does). */
export function parseSecret(value: string): SecretSource {
  const f = parseCsvFields('--secret', value);
  const unknown = [...f.keys()].filter((k) => !['type', 'id', 'src', 'source', 'env'].includes(k));
  if (unknown.length > 0) throw new UsageError(`--secret "${value}": unknown field ${unknown.join(', ')}; use id=, src= or env=`);
  const type = f.get('type') ?? 'file';
  if (type !== 'file' && type !== 'env') throw new UsageError(`--secret type=${type} is unknown; use type=file or type=env`);
  const id = f.get('id');
  if (!id) throw new UsageError(`--secret "${value}" needs id=NAME`);
  const src = f.get('src') ?? f.get('source');
  // As buildx: with type=env, src names the variable.
  if (type === 'env') return { id, env: f.get('env') ?? src ?? id };
  if (src) return { id, src };
  return { id, env: f.get('env') ?? id };
}

/** `--ssh default` or `--ssh id=/path/to/agent.sock[,/path/key]`. */
export function parseSsh(value: string): SshSource {
  const eq = value.indexOf('=');
  if (eq < 0) return { id: value, paths: [] };
  return {
    id: value.slice(0, eq),
    paths: value
      .slice(eq + 1)
      .split(',')
      .filter(Boolean),
  };
}

/**
 * Fields BuildKit users often pass that describe what tsbuild always writes (an OCI image
 * manifest with OCI media types), so they are accepted when true and otherwise refused.
 */
const ALWAYS_TRUE_CACHE_FIELDS = ['image-manifest', 'oci-mediatypes'];

/** Fields of a cache spec, checked against what its type takes; a bare `REF` means `type=registry,ref=REF`, as in buildx. */
function cacheFields(
  flag: string,
  value: string,
  allowed: Record<'registry' | 'local', string[]>,
): { type: 'registry' | 'local'; f: Map<string, string> } {
  const f = value.includes('=') ? parseCsvFields(flag, value) : new Map([['ref', value]]);
  const type = f.get('type') ?? 'registry';
  if (type !== 'registry' && type !== 'local') throw new UsageError(`${flag} type=${type} is unknown; use registry or local`);
  for (const [key, v] of f) {
    if (key === 'type' || allowed[type].includes(key)) continue;
    if (ALWAYS_TRUE_CACHE_FIELDS.includes(key) && v === 'true') continue;
    throw new UsageError(`${flag} "${value}": ${key}=${v} is not supported for type=${type}; it takes ${allowed[type].join(', ')}`);
  }
  return { type, f };
}

function requiredField(flag: string, type: string, f: Map<string, string>, key: string, hint: string): string {
  const v = f.get(key);
  if (!v) throw new UsageError(`${flag} type=${type} needs ${key}=${hint}`);
  return v;
}

/** `--cache-to type=registry,ref=REF[,mode=min|max]` or `type=local,dest=DIR[,mode=min|max]`. */
export function parseCacheTo(value: string): CacheExportSpec {
  const flag = '--cache-to';
  const { type, f } = cacheFields(flag, value, { registry: ['ref', 'mode'], local: ['dest', 'mode'] });
  const mode = f.get('mode') ?? 'min';
  if (mode !== 'min' && mode !== 'max') throw new UsageError(`${flag} mode=${mode} is unknown; use min or max`);
  return type === 'registry'
    ? { type, ref: requiredField(flag, type, f, 'ref', 'REGISTRY/NAME:TAG'), mode }
    : { type, dest: requiredField(flag, type, f, 'dest', 'DIR'), mode };
}

/** `--cache-from type=registry,ref=REF` or `type=local,src=DIR`. */
export function parseCacheFrom(value: string): CacheImportSpec {
  const flag = '--cache-from';
  const { type, f } = cacheFields(flag, value, { registry: ['ref'], local: ['src'] });
  return type === 'registry'
    ? { type, ref: requiredField(flag, type, f, 'ref', 'REGISTRY/NAME:TAG') }
    : { type, src: requiredField(flag, type, f, 'src', 'DIR') };
}

/** setrlimit resources by docker's names (`--ulimit`), as prlimit(1) calls them. */
const ULIMITS = [
  'as',
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
];

/** `--ulimit nofile=1024:2048` (soft:hard), `nofile=1024` (both), `core=-1` (unlimited). */
export function parseUlimit(value: string): Ulimit {
  const match = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(value);
  if (!match) throw new UsageError(`--ulimit "${value}": write NAME=SOFT[:HARD], e.g. nofile=1024:2048`);
  const name = match[1]!;
  if (!ULIMITS.includes(name)) throw new UsageError(`--ulimit ${name} is unknown; use one of ${ULIMITS.join(', ')}`);
  const limit = (text: string): number => (text === '-1' ? Number.MAX_SAFE_INTEGER : Number(text));
  const soft = limit(match[2]!);
  const hard = match[3] === undefined ? soft : limit(match[3]);
  if (soft > hard) throw new UsageError(`--ulimit "${value}": the soft limit is above the hard one`);
  return { name, soft, hard };
}

/** `--annotation K=V` or `manifest:K=V` (the only place tsbuild's single-platform images carry them). */
export function parseAnnotations(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new UsageError(`--annotation "${value}": write KEY=VALUE`);
    let key = value.slice(0, eq);
    const colon = key.indexOf(':');
    if (colon >= 0) {
      const type = key.slice(0, colon);
      if (type !== 'manifest') {
        throw new UsageError(
          `--annotation "${value}": ${type}: annotations are not supported; tsbuild writes a single manifest, so use KEY=VALUE or manifest:KEY=VALUE`,
        );
      }
      key = key.slice(colon + 1);
    }
    out[key] = value.slice(eq + 1);
  }
  return out;
}

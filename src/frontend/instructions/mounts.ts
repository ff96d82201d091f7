// RUN --mount: CSV fields checked when the Dockerfile is parsed, typed once the
// values are expanded (BuildKit's parseMount, in its two passes).
import { assertNever } from '../../errors.js';
import { InstructionProblem } from '../errors.js';
import { parseGoBool } from '../parser/directives.js';
import { parseCsvRecord } from './csv-fields.js';
import { didYouMean } from './suggest.js';

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
export type CacheSharing = 'shared' | 'private' | 'locked';

/** A typed RUN mount; relative targets are resolved against WORKDIR by the graph. */
export type RunMount =
  | { type: 'bind'; target: string; source?: string; from?: string; readonly: boolean }
  | {
      type: 'cache';
      target: string;
      id: string;
      source?: string;
      from?: string;
      readonly: boolean;
      sharing: CacheSharing;
      mode: number;
      uid: number;
      gid: number;
    }
  | { type: 'tmpfs'; target: string; size?: number }
  | { type: 'secret'; id: string; target?: string; env?: string; required: boolean; mode: number; uid: number; gid: number }
  | { type: 'ssh'; id: string; target: string; required: boolean; mode: number; uid: number; gid: number };

const TYPES: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARING: readonly CacheSharing[] = ['shared', 'private', 'locked'];
const KEYS = [
  'type',
  'from',
  'source',
  'src',
  'target',
  'dst',
  'destination',
  'readonly',
  'ro',
  'readwrite',
  'rw',
  'id',
  'sharing',
  'required',
  'size',
  'mode',
  'uid',
  'gid',
  'env',
];
const BARE_KEYS = new Set(['readonly', 'ro', 'readwrite', 'rw', 'required']);

interface Field {
  key: string;
  value?: string;
}

/**
 * Splits and checks a `--mount` value without expanding it: CSV syntax, known keys, values
 * where one is needed, and no variables in `from` (it names a stage).
 */
export function mountFields(text: string): Field[] {
  return parseCsvRecord(text).map((raw) => {
    const eq = raw.indexOf('=');
    const key = (eq < 0 ? raw : raw.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? undefined : raw.slice(eq + 1);
    if (!KEYS.includes(key)) {
      throw new InstructionProblem(`unexpected key '${key}' in '${raw}'${didYouMean(key, KEYS)}`, `mount keys are ${KEYS.join(', ')}`);
    }
    if (value === undefined && !BARE_KEYS.has(key)) {
      throw new InstructionProblem(`invalid field '${raw}' must be a key=value pair`, `write it as ${key}=<value>`);
    }
    if (key === 'from' && value !== undefined && /\$(?!$)/.test(value)) {
      throw new InstructionProblem(
        `'from' doesn't support variable expansion, define alias stage instead`,
        'add `FROM <image> AS <name>` and use from=<name>',
      );
    }
    return value === undefined ? { key } : { key, value };
  });
}

/** Working state while fields are applied; turned into a RunMount at the end. */
interface Draft {
  type: MountType;
  target?: string;
  source?: string;
  from?: string;
  id?: string;
  readonly?: boolean;
  required?: boolean;
  sharing?: CacheSharing;
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  env?: string;
}

/**
 * Types a `--mount` value: `expand` substitutes variables in every value but `from`;
 * `sshIndex` numbers the default SSH socket path.
 */
export function parseMount(text: string, expand: (value: string) => string, sshIndex = 0): RunMount {
  const d: Draft = { type: 'bind' };
  for (const field of mountFields(text)) {
    const value = field.value === undefined || field.key === 'from' ? field.value : expand(field.value);
    applyField(d, field.key, value);
  }
  return finish(d, sshIndex);
}

function applyField(d: Draft, key: string, value: string | undefined): void {
  const bool = (v: string | undefined): boolean => {
    if (v === undefined) return true;
    const b = parseGoBool(v);
    if (b === undefined) throw new InstructionProblem(`invalid value for ${key}: ${v}`, `use ${key}=true or ${key}=false`);
    return b;
  };
  const v = value ?? '';
  switch (key) {
    case 'type': {
      const type = v.toLowerCase() as MountType;
      if (!TYPES.includes(type)) {
        throw new InstructionProblem(`unsupported mount type ${JSON.stringify(v)}${didYouMean(v, TYPES)}`, `types are ${TYPES.join(', ')}`);
      }
      d.type = type;
      return;
    }
    case 'from':
      d.from = v;
      return;
    case 'source':
    case 'src':
      d.source = v;
      return;
    case 'target':
    case 'dst':
    case 'destination':
      d.target = v;
      return;
    case 'readonly':
    case 'ro':
      d.readonly = bool(value);
      return;
    case 'readwrite':
    case 'rw':
      d.readonly = !bool(value);
      return;
    case 'id':
      d.id = v;
      return;
    case 'env':
      d.env = v;
      return;
    case 'required':
      onlyFor(key, d.type, ['secret', 'ssh']);
      d.required = bool(value);
      return;
    case 'sharing': {
      const sharing = v.toLowerCase() as CacheSharing;
      if (!SHARING.includes(sharing)) {
        throw new InstructionProblem(`unsupported sharing value ${JSON.stringify(v)}`, `use one of ${SHARING.join(', ')}`);
      }
      d.sharing = sharing;
      return;
    }
    case 'size':
      onlyFor(key, d.type, ['tmpfs']);
      d.size = parseSize(v);
      return;
    case 'mode':
      d.mode = parseUint(key, v, 8);
      return;
    case 'uid':
      d.uid = parseUint(key, v, 10);
      return;
    case 'gid':
      d.gid = parseUint(key, v, 10);
      return;
  }
}

function finish(d: Draft, sshIndex: number): RunMount {
  if (d.type !== 'cache' && d.type !== 'secret' && d.type !== 'ssh') {
    for (const k of ['mode', 'uid', 'gid'] as const) {
      if (d[k] !== undefined) throw new InstructionProblem(`${k} not allowed for ${JSON.stringify(d.type)} type mounts`, `drop ${k}=`);
    }
  }
  if (d.sharing !== undefined && d.type !== 'cache') {
    throw new InstructionProblem(`invalid cache sharing set for ${d.type} mount`, 'sharing= applies to type=cache only');
  }
  const needTarget = (): string => {
    if (!d.target) throw new InstructionProblem(`mount type ${d.type} requires a target`, 'add target=<path in the container>');
    return d.target;
  };
  switch (d.type) {
    case 'bind':
      return { type: 'bind', target: needTarget(), ...opt('source', d.source), ...opt('from', d.from), readonly: d.readonly ?? true };
    case 'cache': {
      const target = needTarget();
      return {
        type: 'cache',
        target,
        id: d.id || target,
        ...opt('source', d.source),
        ...opt('from', d.from),
        readonly: d.readonly ?? false,
        sharing: d.sharing ?? 'shared',
        mode: d.mode ?? 0o755,
        uid: d.uid ?? 0,
        gid: d.gid ?? 0,
      };
    }
    case 'tmpfs':
      return { type: 'tmpfs', target: needTarget(), ...opt('size', d.size) };
    case 'secret':
      return secretMount(d);
    case 'ssh':
      return {
        type: 'ssh',
        id: d.id || 'default',
        target: d.target || `/run/buildkit/ssh_agent.${sshIndex}`,
        required: d.required ?? false,
        mode: d.mode ?? 0o600,
        uid: d.uid ?? 0,
        gid: d.gid ?? 0,
      };
    default:
      return assertNever(d.type, 'mount type');
  }
}

function secretMount(d: Draft): RunMount {
  if (d.from !== undefined) throw new InstructionProblem('secret mount should not have a from', 'drop from= from the secret mount');
  if (d.source && d.id) throw new InstructionProblem("both source and id can't be set", 'keep only id=');
  const id = d.source || d.id || (d.target ? d.target.split('/').filter(Boolean).at(-1) : undefined);
  if (!id) throw new InstructionProblem('invalid secret mount. one of source, target required', 'add id=<secret id>');
  const target = d.target || (d.env === undefined ? `/run/secrets/${id}` : undefined);
  return {
    type: 'secret',
    id,
    ...opt('target', target),
    ...opt('env', d.env),
    required: d.required ?? false,
    mode: d.mode ?? 0o400,
    uid: d.uid ?? 0,
    gid: d.gid ?? 0,
  };
}

function onlyFor(key: string, type: MountType, allowed: MountType[]): void {
  if (!allowed.includes(type)) {
    throw new InstructionProblem(`unexpected key '${key}' for mount type '${type}'`, `${key}= applies to type=${allowed.join('|')}`);
  }
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function parseUint(key: string, value: string, radix: 8 | 10): number {
  const ok = radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  const n = Number.parseInt(value, radix);
  if (!ok.test(value) || n > 0xffffffff)
    throw new InstructionProblem(`invalid value ${value} for ${key}`, `${key} takes a ${radix === 8 ? 'octal' : 'decimal'} number`);
  return n;
}

/** docker's MemBytes: `64m`, `1g`, `512k`, plain bytes. */
function parseSize(value: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([kmgtp]?)(i?b)?$/i.exec(value.trim());
  if (!m) throw new InstructionProblem(`invalid value for size: ${value}`, 'use a size such as 64m or 1g');
  const power = ' kmgtp'.indexOf((m[2] ?? '').toLowerCase() || ' ');
  return Math.round(Number(m[1]) * 1024 ** power);
}

// ARG scoping: global (meta) ARGs before the first FROM, per-stage declarations,
// --build-arg overrides, the predefined platform args and the proxy args.
import { formatPlatform, type Platform } from '../../platform.js';
import type { ArgDeclaration } from '../instructions/types.js';

/** Usable in RUN without ARG; kept out of history and cache keys unless declared. */
export const PROXY_ARGS = [
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
];

export function isProxyArg(name: string): boolean {
  return PROXY_ARGS.some((p) => p.toLowerCase() === name.toLowerCase());
}

/** The automatic global args: the TARGET… and BUILD… platform parts, and TARGETSTAGE. */
export function predefinedArgs(target: Platform, build: Platform, targetStage: string): Map<string, string> {
  const args = new Map<string, string>();
  for (const [prefix, p] of [
    ['TARGET', target],
    ['BUILD', build],
  ] as const) {
    args.set(`${prefix}PLATFORM`, formatPlatform(p));
    args.set(`${prefix}OS`, p.os);
    args.set(`${prefix}ARCH`, p.architecture);
    args.set(`${prefix}VARIANT`, p.variant ?? '');
  }
  args.set('TARGETSTAGE', targetStage);
  return args;
}

/** Expands a default value with the variables visible at the ARG. */
export type ExpandDefault = (value: string, env: ReadonlyMap<string, string>) => string;

/**
 * Evaluates the ARGs before the first FROM in order: a --build-arg wins over the default,
 * and a default may use earlier globals. Unset ARGs stay out of the result.
 */
export function globalArgs(
  declarations: ArgDeclaration[],
  predefined: ReadonlyMap<string, string>,
  buildArgs: Readonly<Record<string, string>>,
  expand: ExpandDefault,
): Map<string, string> {
  const globals = new Map(predefined);
  for (const decl of declarations) {
    const value = Object.hasOwn(buildArgs, decl.name) ? buildArgs[decl.name] : decl.value === undefined ? undefined : expand(decl.value, globals);
    if (value !== undefined) globals.set(decl.name, value);
  }
  return globals;
}

/** The ARGs declared in one stage so far, with their values (undefined = declared but unset). */
export class StageArgs {
  private readonly declared = new Map<string, string | undefined>();
  /** ARGs given a value after the last ENV of their name: in BuildKit they replace it in the step env. */
  private readonly overEnv = new Set<string>();

  constructor(
    private readonly globals: ReadonlyMap<string, string>,
    private readonly buildArgs: Readonly<Record<string, string>>,
    inherited?: StageArgs,
  ) {
    if (inherited) {
      for (const [k, v] of inherited.declared) this.declared.set(k, v);
      for (const k of inherited.overEnv) this.overEnv.add(k);
    }
  }

  /**
   * `ARG name[=default]`: --build-arg, else the expanded default, else the global value; that
   * value (what the ARG's history records) is returned. An ARG with none of them keeps the
   * value an earlier ARG of the name set, here or in the parent stage: BuildKit leaves that
   * in the step's env.
   */
  declare(decl: ArgDeclaration, expandDefault: (value: string) => string): string | undefined {
    let value: string | undefined;
    if (Object.hasOwn(this.buildArgs, decl.name)) value = this.buildArgs[decl.name];
    else if (decl.value !== undefined) value = expandDefault(decl.value);
    else value = this.globals.get(decl.name);
    this.declared.set(decl.name, value ?? this.declared.get(decl.name));
    if (value !== undefined) this.overEnv.add(decl.name);
    return value;
  }

  /** `ENV name=…`: from here on the ENV value is the one steps see. */
  envSet(name: string): void {
    this.overEnv.delete(name);
  }

  /**
   * Whether the ARG's value replaces an ENV of the same name in the step env (an ARG with a
   * value after that ENV: BuildKit's dispatchArg adds it to the state env), while the image
   * config keeps the ENV.
   */
  overridesEnv(name: string): boolean {
    return this.overEnv.has(name);
  }

  /** Declared ARGs that have a value, in declaration order. */
  values(): [string, string][] {
    return [...this.declared].filter((e): e is [string, string] => e[1] !== undefined);
  }

  /**
   * Declared ARG names in order of first declaration (with or without a value), the parent
   * stage's first, for RUN's history text.
   */
  declarations(): [string, string | undefined][] {
    return [...this.declared];
  }

  /** `--build-arg` proxy values that no ARG declared: RUN gets them outside the cache key. */
  undeclaredProxyEnv(): string[] {
    return Object.entries(this.buildArgs)
      .filter(([k]) => isProxyArg(k) && !this.declared.has(k))
      .map(([k, v]) => `${k}=${v}`);
  }
}

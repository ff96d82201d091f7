import type { ContainerConfig } from '../../image/index.js';
import type { StageArgs } from './args.js';
import type { HistoryItem, Step } from './types.js';

/** Linux default PATH, set when the base image has none (as BuildKit does). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** What a stage has built so far; each instruction reads it and updates it. */
export interface StageState {
  config: ContainerConfig;
  author?: string;
  args: StageArgs;
  /** True once this stage set CMD (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  steps: Step[];
  history: HistoryItem[];
}

/** Splits `KEY=VAL` (a bare `KEY` is set and empty). */
export function splitEnv(entry: string): [string, string] {
  const eq = entry.indexOf('=');
  return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
}

/** Replaces or appends `key=value` in an env list, keeping order. */
export function setEnv(env: readonly string[], key: string, value: string): string[] {
  const out = env.filter((e) => splitEnv(e)[0] !== key);
  const at = env.findIndex((e) => splitEnv(e)[0] === key);
  const entry = `${key}=${value}`;
  if (at < 0) return [...out, entry];
  out.splice(at, 0, entry);
  return out;
}

/** Variables visible to expansion: declared ARGs and ENV, the later of the two for a name set by both. */
export function expansionEnv(state: StageState): Map<string, string> {
  return new Map(processEnv(state).map(splitEnv));
}

/**
 * The env list a process sees (BuildKit's state env): image ENV, an ENV's value replaced by an
 * ARG of its name declared with a value after it, then the other declared ARGs.
 */
export function processEnv(state: StageState): string[] {
  const args = new Map(state.args.values());
  const env = (state.config.Env ?? []).map((entry) => {
    const [k] = splitEnv(entry);
    return state.args.overridesEnv(k) && args.has(k) ? `${k}=${args.get(k)}` : entry;
  });
  const keys = new Set(env.map((e) => splitEnv(e)[0]));
  for (const [k, v] of args) if (!keys.has(k)) env.push(`${k}=${v}`);
  return env;
}

/** The state fields every step records. */
export function stepContext(state: StageState): { env: string[]; workdir: string; user: string; shell: string[] } {
  return {
    env: processEnv(state),
    workdir: state.config.WorkingDir || '/',
    user: state.config.User ?? '',
    shell: state.config.Shell ?? DEFAULT_SHELL,
  };
}

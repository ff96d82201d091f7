import { DockerfileError } from '../frontend/index.js';
import type { CheckWarning } from './types.js';

/** `# check=error=true` with warnings: the build stops before any step, as BuildKit's does. */
export class CheckFailedError extends DockerfileError {
  constructor(
    readonly warnings: CheckWarning[],
    dockerfile: { name: string; lines: readonly string[] },
  ) {
    const rules = [...new Set(warnings.map((w) => w.rule))];
    super(`lint violation found for rules: ${rules.join(', ')}`, {
      code: 'dockerfile-instruction',
      file: dockerfile.name,
      ...(warnings[0] ? { range: warnings[0].range } : {}),
      hint: 'fix what the warnings above name, or skip rules with "# check=skip=<rules>"',
      sourceLines: dockerfile.lines,
    });
  }

  override withSource(lines: readonly string[]): CheckFailedError {
    return new CheckFailedError(this.warnings, { name: this.file, lines });
  }
}

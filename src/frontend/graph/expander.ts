import type { EscapeToken } from '../parser/directives.js';
import { DockerfileError } from '../errors.js';
import { ExpansionBudget, processWord, processWords, ShellExpansionError, type Env, type LexOptions } from '../shell/expand.js';
import type { SourceRange } from '../source.js';

/** Variable substitution for one Dockerfile: lexer errors become located DockerfileErrors. */
export class Expander {
  private readonly opts: LexOptions;
  /** One allowance for the whole Dockerfile, so many small expansions cannot add up to a hang. */
  private readonly budget = new ExpansionBudget();

  constructor(
    private readonly file: string,
    escape: EscapeToken,
  ) {
    this.opts = { escapeToken: escape, budget: this.budget };
  }

  /** One word, quotes removed, nothing split (ENV values, paths, flag values). */
  word(text: string, env: Env, range: SourceRange): string {
    return this.guard(range, () => processWord(text, env, this.opts).value);
  }

  /** Split into words after substitution (EXPOSE). */
  words(text: string, env: Env, range: SourceRange): string[] {
    return this.guard(range, () => processWords(text, env, this.opts).words);
  }

  /**
   * A COPY heredoc body: BuildKit expands it with quote processing off, so quotes stay;
   * the escape character is always `\` there.
   */
  heredoc(text: string, env: Env, range: SourceRange): string {
    return this.guard(range, () => processWord(text, env, { escapeToken: '\\', rawQuotes: true, budget: this.budget }).value);
  }

  private guard<T>(range: SourceRange, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ShellExpansionError) {
        throw new DockerfileError(err.message, {
          code: 'dockerfile-expansion',
          file: this.file,
          range,
          hint: 'check the quotes and ${…} forms in this instruction',
          cause: err,
        });
      }
      throw err;
    }
  }
}

/** One `tsbuild` subcommand. `run` returns the process exit code. */
export interface Command {
  name: string;
  summary: string;
  /** Full help text shown by `tsbuild NAME --help`. */
  usage: string;
  run(argv: string[]): Promise<number>;
}

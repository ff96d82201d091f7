import type { Directives } from './directives.js';
import type { SourceRange } from '../source.js';

/** A heredoc attached to RUN/COPY/ADD (BuildKit's parser.Heredoc). */
export interface Heredoc {
  /** Terminator word with quotes removed: `<<"EOF"` → `EOF`. */
  name: string;
  /** Leading digits of `3<<EOF`; 0 when absent. */
  fileDescriptor: number;
  /** False when any part of the terminator word was quoted (no variable expansion). */
  expand: boolean;
  /** True for `<<-`: leading tabs are stripped from the body later. */
  chomp: boolean;
  /** Body lines as written, each with its newline; never tab-stripped here. */
  content: string;
}

/** One instruction of the parse tree, before it is typed. */
export interface Node {
  /** The keyword as written (`run`, `RUN`, `Run`). */
  keyword: string;
  /** The keyword lowercased, used for dispatch. */
  name: string;
  /** Leading `--flag[=value]` words, in order, without the ending `--`. */
  flags: string[];
  /**
   * Arguments as BuildKit's parser splits them: exec-form elements, the shell-form rest
   * of the line, whitespace-split words, or `name value sep` triples for ENV/LABEL.
   */
  args: string[];
  /** The instruction ONBUILD wraps. */
  child?: Node;
  /** True when the arguments were a JSON array (exec form). */
  json: boolean;
  heredocs: Heredoc[];
  /** The logical line (continuations joined, comments dropped). */
  original: string;
  /** Comment lines directly above the instruction, without the `#`. */
  comments: string[];
  range: SourceRange;
}

export interface ParseWarning {
  message: string;
  range: SourceRange;
}

/** A parsed Dockerfile: nodes in order plus what is needed to report errors. */
export interface ParsedDockerfile {
  /** Display name used in error messages. */
  name: string;
  /** The file's lines (no newline characters), for error excerpts. */
  lines: string[];
  directives: Directives;
  nodes: Node[];
  warnings: ParseWarning[];
}

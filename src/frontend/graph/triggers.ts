import { DockerfileError } from '../errors.js';
import { parseInstruction } from '../instructions/parse-instruction.js';
import type { Instruction } from '../instructions/types.js';
import { parseDockerfile } from '../parser/parse.js';
import type { SourceRange } from '../source.js';

const FORBIDDEN = new Set(['onbuild', 'from', 'maintainer']);

/**
 * Parses the ONBUILD triggers a base stores (`RUN echo hi`, heredocs included) into
 * instructions run right after FROM; errors point at that FROM.
 */
export function onbuildTriggers(expressions: readonly string[], fromRange: SourceRange, file: string): Instruction[] {
  return expressions.flatMap((expression) => {
    const fail = (message: string, cause?: unknown) =>
      new DockerfileError(`invalid ONBUILD trigger ${JSON.stringify(expression)} of the base image: ${message}`, {
        code: 'dockerfile-instruction',
        file,
        range: fromRange,
        hint: 'rebuild the base image with a valid ONBUILD',
        cause,
      });
    let nodes;
    try {
      nodes = parseDockerfile(expression, { name: file }).nodes;
    } catch (err) {
      throw fail((err as Error).message, err);
    }
    return nodes.map((node) => {
      if (FORBIDDEN.has(node.name)) throw fail(`${node.keyword.toUpperCase()} isn't allowed as an ONBUILD trigger`);
      try {
        return parseInstruction({ ...node, range: fromRange }, file);
      } catch (err) {
        throw fail((err as Error).message, err);
      }
    });
  });
}

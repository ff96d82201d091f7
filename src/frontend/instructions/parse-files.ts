import { InstructionProblem } from '../errors.js';
import { baseOf, exactlyOne, atLeastOne, flagsOf, sourcesAndDest, type ParseRequest } from './request.js';
import type { AddInstruction, CopyInstruction, VolumeInstruction, WorkdirInstruction } from './types.js';

/** `COPY [--from=…] [--chown=…] [--chmod=…] [--link] [--parents] [--exclude=…] <src>… <dest>` */
export function parseCopy(req: ParseRequest): CopyInstruction {
  const flags = flagsOf(req, {
    from: 'string',
    chown: 'string',
    chmod: 'string',
    link: 'bool',
    parents: 'bool',
    exclude: 'strings',
  });
  const from = flags.string('from');
  if (from !== undefined && /\$(?!$)/.test(from)) {
    throw new InstructionProblem(
      "'from' doesn't support variable expansion, define alias stage instead",
      'add `FROM <image> AS <name>` and use --from=<name>',
    );
  }
  return {
    kind: 'copy',
    ...baseOf(req),
    ...sourcesAndDest(req, 'COPY'),
    ...optional('from', from),
    ...optional('chown', flags.string('chown')),
    ...optional('chmod', flags.string('chmod')),
    link: flags.bool('link') ?? false,
    parents: flags.bool('parents') ?? false,
    exclude: flags.strings('exclude'),
  };
}

/** `ADD [--chown=…] [--chmod=…] [--link] [--keep-git-dir] [--checksum=…] [--unpack] [--exclude=…] <src>… <dest>` */
export function parseAdd(req: ParseRequest): AddInstruction {
  const flags = flagsOf(req, {
    chown: 'string',
    chmod: 'string',
    link: 'bool',
    'keep-git-dir': 'bool',
    checksum: 'string',
    unpack: 'bool',
    exclude: 'strings',
  });
  const files = sourcesAndDest(req, 'ADD');
  const checksum = flags.string('checksum');
  if (checksum !== undefined && files.sources.length + files.heredocSources.length !== 1) {
    throw new InstructionProblem("checksum can't be specified for multiple sources", 'give --checksum with a single URL or Git source');
  }
  const unpack = flags.bool('unpack');
  return {
    kind: 'add',
    ...baseOf(req),
    ...files,
    ...optional('chown', flags.string('chown')),
    ...optional('chmod', flags.string('chmod')),
    link: flags.bool('link') ?? false,
    keepGitDir: flags.bool('keep-git-dir') ?? false,
    ...optional('checksum', checksum),
    ...(unpack === undefined ? {} : { unpack }),
    exclude: flags.strings('exclude'),
  };
}

/** `WORKDIR <path>` */
export function parseWorkdir(req: ParseRequest): WorkdirInstruction {
  flagsOf(req);
  return { kind: 'workdir', ...baseOf(req), path: exactlyOne(req, 'WORKDIR') };
}

/** `VOLUME ["/a"]` / `VOLUME /a /b` */
export function parseVolume(req: ParseRequest): VolumeInstruction {
  flagsOf(req);
  const paths = atLeastOne(req, 'VOLUME').map((v) => v.trim());
  if (paths.some((p) => p === '')) {
    throw new InstructionProblem('VOLUME specified can not be an empty string', 'remove the empty path');
  }
  return { kind: 'volume', ...baseOf(req), paths };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

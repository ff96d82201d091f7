import { parseFlags } from '../parse-flags.js';
import { UsageError } from '../../errors.js';
import { login } from '../../registry/index.js';
import type { Command } from '../command.js';
import { INSECURE_REGISTRY_OPTION, registryClientOptions } from '../registry-options.js';

const usage = `usage: tsbuild login [OPTIONS] HOST

Checks the credentials against HOST and stores them in ~/.docker/config.json (or
$DOCKER_CONFIG/config.json), where docker reads them too.

options:
  -u, --username USER          user name
  -p, --password PASS          password (prefer --password-stdin)
      --password-stdin         read the password from stdin
      --insecure-registry HOST talk plain HTTP to HOST`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export const command: Command = {
  name: 'login',
  summary: 'Log in to a registry',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        username: { type: 'string', short: 'u' },
        password: { type: 'string', short: 'p' },
        'password-stdin': { type: 'boolean' },
        ...INSECURE_REGISTRY_OPTION,
      },
      usage,
    );
    const host = positionals[0];
    if (!host || positionals.length > 1) throw new UsageError(`tsbuild login needs one HOST\n\n${usage}`);
    if (!values.username) throw new UsageError('tsbuild login needs --username USER');
    const password = values['password-stdin'] ? await readStdin() : values.password;
    if (!password) throw new UsageError('tsbuild login needs a password: --password-stdin (or -p)');
    await login(host, values.username, password, registryClientOptions(values));
    process.stderr.write(`Login Succeeded (${host})\n`);
    return 0;
  },
};

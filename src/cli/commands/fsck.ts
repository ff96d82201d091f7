import type { Command } from '../command.js';
import { parseStoreArgs, requireCount, withStore } from '../command-args.js';

const usage = `usage: tsbuild fsck [--json]

Checks every blob against its digest and every metadata row against the files and rows it
names, and repairs: corrupt blobs and rows without files are removed with what depends on
them; leftovers of killed processes are swept. Exits 1 when damage was found.

options:
      --json       print the findings as JSON
      --root DIR   store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

export const command: Command = {
  name: 'fsck',
  summary: 'Verify and repair the store',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(argv, { json: { type: 'boolean' } }, usage);
    requireCount(positionals, usage, { min: 0 });
    return withStore(
      values,
      async (store) => {
        const result = await store.fsck();
        if (values.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        } else {
          for (const p of result.problems) process.stdout.write(`problem: ${p}\n`);
          for (const c of result.cleaned) process.stdout.write(`removed leftover: ${c}\n`);
          process.stdout.write(
            `checked ${result.blobsChecked} blob(s): ${result.problems.length === 0 ? 'clean' : `${result.problems.length} problem(s) repaired`}\n`,
          );
        }
        return result.problems.length === 0 ? 0 : 1;
      },
      { freesSpace: true },
    );
  },
};

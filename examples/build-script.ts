// A build script on tsbuild's API: build with BuildKit-style progress, cancel on Ctrl-C,
// then look at the result, tag it, save it and run it — the same functions the CLI uses.
//
//   TSBUILD_ROOT=./cache npx tsx examples/build-script.ts CONTEXT NAME:TAG
import {
  build,
  BuildCanceledError,
  BuildStepError,
  createRenderer,
  DockerfileError,
  imageHistory,
  inspectImage,
  listImages,
  runImage,
  saveImages,
  tagImage,
  TsbuildError,
} from 'tsbuild';

async function main(context: string, name: string): Promise<number> {
  const renderer = createRenderer('plain', process.stderr);
  const cancel = new AbortController();
  process.once('SIGINT', () => cancel.abort());
  try {
    const result = await build({ context, tags: [name], onEvent: renderer.onEvent, signal: cancel.signal });
    renderer.finish();
    const cached = result.steps.filter((s) => s.cached).length;
    console.log(`built ${result.imageId} (${cached}/${result.steps.length} steps cached)`);
  } catch (err) {
    renderer.finish();
    if (err instanceof BuildStepError) console.error(`step failed: ${err.step} (Dockerfile line ${err.range.start.line})`);
    else if (err instanceof DockerfileError) console.error(`bad Dockerfile: ${err.message}`);
    else if (err instanceof BuildCanceledError) console.error('canceled');
    else throw err;
    return (err as TsbuildError).exitCode;
  }

  const [image] = await inspectImage(name);
  console.log(`config: ${JSON.stringify(image!.Config)}`);
  for (const step of await imageHistory(name)) console.log(`history: ${step.createdBy} (${step.size} bytes)`);
  const alias = await tagImage(name, `${name.split(':')[0]}:from-script`);
  const names = (await listImages()).flatMap((i) => i.repoTags);
  console.log(`tagged ${alias}; the store has ${names.length} names`);
  await saveImages([alias], `${process.env.EXAMPLE_OUT ?? '.'}/image.tar`);
  const run = await runImage({ image: alias, command: ['echo', 'hello from the image'], onOutput: (_s, data) => process.stdout.write(data) });
  return run.exitCode;
}

const [context = '.', name = 'example:latest'] = process.argv.slice(2);
process.exitCode = await main(context, name).catch((err: unknown) => {
  // Every error a user can cause is a TsbuildError with a stable code.
  if (err instanceof TsbuildError) {
    console.error(`${err.code}: ${err.message}`);
    return err.exitCode;
  }
  throw err;
});

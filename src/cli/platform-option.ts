import { UsageError } from '../errors.js';
import { parsePlatform, type Platform } from '../platform.js';

/** A `--platform OS/ARCH[/VARIANT]` value; a bad one is a usage error naming the flag. */
export function platformOption(text: string): Platform {
  try {
    return parsePlatform(text);
  } catch (err) {
    throw new UsageError(`--platform: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

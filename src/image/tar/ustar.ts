// One 512-byte ustar header block: field layout, numbers and checksum. Numbers too big for
// their octal field use the base-256 form (GNU, understood by GNU tar, Go and Python);
// the writer also puts them in PAX records, which every PAX reader prefers.
import { BLOCK, TarFormatError } from './types.js';
import { toSafeNumber } from './pax.js';

export const FIELDS = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

export type Field = keyof typeof FIELDS;

/** One more than the largest value the octal form holds in each field: width - 1 digits and a NUL. */
const OCTAL_LIMIT = Object.fromEntries(Object.entries(FIELDS).map(([field, [, width]]) => [field, 8 ** (width - 1)])) as Record<Field, number>;

export function octalFits(field: Field, value: number): boolean {
  return value >= 0 && value < OCTAL_LIMIT[field];
}

export function writeNumber(block: Buffer, field: Field, value: number): void {
  const [offset, width] = FIELDS[field];
  if (octalFits(field, value)) {
    block.write(value.toString(8).padStart(width - 1, '0'), offset, 'latin1');
    block[offset + width - 1] = 0;
    return;
  }
  // Base-256: big-endian two's complement with the top bit of the first byte set.
  let v = BigInt(value);
  const limit = 1n << BigInt(8 * width - 2);
  if (v >= limit || v < -limit) throw new TarFormatError(`${field} ${value} does not fit a tar header`);
  for (let i = width - 1; i >= 0; i--) {
    block[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  block[offset] = (block[offset]! & 0x7f) | 0x80;
}

export function readNumber(block: Buffer, field: Field): number {
  const [offset, width] = FIELDS[field];
  const bytes = block.subarray(offset, offset + width);
  if (bytes[0]! & 0x80) {
    // 0x80 marks a positive value, 0xff a negative one; both are two's complement below.
    let v = bytes[0] === 0xff ? -1n : 0n;
    v = (v << 7n) | BigInt(bytes[0]! & 0x7f);
    for (let i = 1; i < width; i++) v = (v << 8n) | BigInt(bytes[i]!);
    return toSafeNumber(v, field);
  }
  const text = bytes.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`${field} field is not octal: ${JSON.stringify(text)}`);
  return toSafeNumber(BigInt(`0o${text}`), field);
}

export function writeString(block: Buffer, field: Field, bytes: Buffer): void {
  const [offset, width] = FIELDS[field];
  bytes.copy(block, offset, 0, Math.min(width, bytes.length));
}

/** Field bytes up to the first NUL. */
export function readBytes(block: Buffer, field: Field): Buffer {
  const [offset, width] = FIELDS[field];
  const bytes = block.subarray(offset, offset + width);
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}

function checksumOf(block: Buffer): { unsigned: number; signed: number } {
  let unsigned = 0;
  let signed = 0;
  const [offset, width] = FIELDS.checksum;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= offset && i < offset + width ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return { unsigned, signed };
}

/** Writes the checksum as six octal digits, NUL, space: the form GNU tar writes. */
export function sealBlock(block: Buffer): void {
  const [offset] = FIELDS.checksum;
  block.write(`${checksumOf(block).unsigned.toString(8).padStart(6, '0')}\0 `, offset, 'latin1');
}

/** Old tars summed signed bytes; both sums are accepted, as GNU tar does. */
export function checksumMatches(block: Buffer): boolean {
  const stored = readNumber(block, 'checksum');
  const { unsigned, signed } = checksumOf(block);
  return stored === unsigned || stored === signed;
}

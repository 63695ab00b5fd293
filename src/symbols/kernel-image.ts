/**
 * Kernel symbols from a kernel image file, offline (`systrace symbols --from-image`): the
 * vmlinux inside a Debian vmlinuz, then its kallsyms tables found by shape. Addresses are the
 * link-time ones (no KASLR slide).
 *
 * An x86 bzImage carries vmlinux XZ-compressed with the x86 BCJ filter. Node's zlib reads only
 * gzip; of the npm decoders, the WebAssembly xz-embedded build (xz-decompress) and the Rust one
 * (@napi-rs/lzma) both refuse the BCJ filter (tried), so this uses lzma-native, the binding to
 * liblzma itself (prebuilt for linux-x64 in its npm package; nothing is compiled at install).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import lzma from 'lzma-native';
import { UserError } from '../util/errors.js';
import { expandSymbols, findDigitRuns, layoutBefore, tokenIndexMatches, tokenTableAt } from './kallsyms-format.js';
import { SymbolTable } from './system-map.js';

const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const XZ = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const GZIP = Buffer.from([0x1f, 0x8b, 0x08]);
/** No kernel decompresses to more than this; a bound against hostile images. */
const MAX_VMLINUX = 512 << 20;

function unxz(data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    lzma.decompress(data, { memlimit: MAX_VMLINUX }, (out: Buffer | null, err?: Error) => {
      if (err || !out) reject(err ?? new Error('xz: no output'));
      else resolve(out);
    });
  });
}

/**
 * The compressed payload of an x86 bzImage (Documentation/x86/boot.rst: `HdrS` at 0x202,
 * payload_offset at 0x248 and payload_length at 0x24c, from the protected-mode code that
 * follows the setup sectors), without the 4-byte uncompressed size the build appends.
 */
function bzImagePayload(image: Buffer): Buffer | undefined {
  if (image.length < 0x250 || image.toString('latin1', 0x202, 0x206) !== 'HdrS') return undefined;
  const setup = ((image[0x1f1] || 4) + 1) * 512;
  const start = setup + image.readUInt32LE(0x248);
  const end = start + image.readUInt32LE(0x24c) - 4;
  return start < end && end <= image.length ? image.subarray(start, end) : undefined;
}

/** The ELF vmlinux of a kernel image (itself when it is one). */
export async function vmlinuxOf(image: Buffer, file: string): Promise<Buffer> {
  if (image.subarray(0, 4).equals(ELF)) return image;
  const payload = bzImagePayload(image);
  if (payload?.subarray(0, 6).equals(XZ)) {
    const out = await unxz(payload).catch(() => undefined);
    if (out?.subarray(0, 4).equals(ELF)) return out;
  }
  for (const [magic, inflate] of [
    [XZ, unxz],
    [GZIP, async (b: Buffer) => gunzipSync(b, { maxOutputLength: MAX_VMLINUX })],
  ] as const) {
    for (let at = image.indexOf(magic); at >= 0; at = image.indexOf(magic, at + 1)) {
      try {
        const out = await inflate(image.subarray(at));
        if (out.subarray(0, 4).equals(ELF)) return out;
      } catch {
        // trailing garbage after a stream is normal; a false magic is not: try the next
      }
    }
  }
  throw new UserError('CONFIG_INVALID', `${file}: no ELF vmlinux found (neither the file nor an XZ or gzip stream inside it)`);
}

/** The decompressed streams inside an image (XZ, gzip), largest first; bounded in count. */
async function streamsOf(image: Buffer): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const [magic, inflate] of [
    [XZ, unxz],
    [GZIP, async (b: Buffer) => gunzipSync(b, { maxOutputLength: MAX_VMLINUX })],
  ] as const) {
    let tries = 0;
    for (let at = image.indexOf(magic); at >= 0 && tries < 16; at = image.indexOf(magic, at + 1), tries++) {
      const o = await inflate(image.subarray(at)).catch(() => undefined);
      if (o && o.length > 1 << 20) out.push(o);
    }
  }
  return out.sort((x, y) => y.length - x.length);
}

/** The kallsyms tables of one byte image (buffer index 0 word-aligned), if it holds them. */
function tablesIn(buf: Buffer, word: 4 | 8, absolutePercpu: boolean, file: string): SymbolTable | undefined {
  for (const run of findDigitRuns(buf)) {
    const tt = tokenTableAt(buf, run, word);
    if (!tt || !tokenIndexMatches(buf, tt.start, tt.end, tt.tokens, word)) continue;
    const layout = layoutBefore(buf, tt.start, word);
    if (!layout) continue;
    const t = new SymbolTable(`kallsyms of ${file}`);
    for (const s of expandSymbols(buf, layout, tt.tokens, word, absolutePercpu)) t.add(s);
    return t;
  }
  return undefined;
}

/**
 * Recovers the kallsyms table from a kernel image: an ELF vmlinux (itself, or inside an x86
 * bzImage), else a raw image (arm64 `Image`: "ARM\x64" at 0x38, Documentation/arm64/booting.rst)
 * or one inside an XZ/gzip stream of the file (armhf zImage). A raw arm64 Image leaves its
 * relocations to be applied at boot (RELA), so its kallsyms_relative_base may read 0: the
 * addresses are then offsets from _text.
 */
export async function symbolsFromImage(file: string): Promise<SymbolTable> {
  let image: Buffer;
  try {
    image = readFileSync(file);
  } catch (e) {
    throw new UserError('FILE_NOT_FOUND', `cannot read kernel image ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const elf = await vmlinuxOf(image, file).catch(() => undefined);
  if (elf) {
    const word = elf[4] === 2 ? 8 : 4; // EI_CLASS
    const absolutePercpu = elf.readUInt16LE(18) === 62; // EM_X86_64: KALLSYMS_ABSOLUTE_PERCPU
    const t = tablesIn(elf, word, absolutePercpu, file);
    if (t) return t;
  }
  const arm64 = (b: Buffer) => b.length > 0x40 && b.readUInt32LE(0x38) === 0x644d5241;
  for (const raw of [image, ...(await streamsOf(image))]) {
    const t = tablesIn(raw, arm64(raw) ? 8 : 4, false, file) ?? (arm64(raw) ? undefined : tablesIn(raw, 8, false, file));
    if (t) return t;
  }
  throw new UserError('CONFIG_INVALID', `${file}: no kallsyms tables found in it, nor in an ELF vmlinux or an XZ/gzip stream inside it (a kernel built without CONFIG_KALLSYMS, or compressed in a way not read here)`);
}

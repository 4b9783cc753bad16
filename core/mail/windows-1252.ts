/**
 * windows-1252 as the Encoding Standard defines it, for runtimes whose TextDecoder gets it wrong.
 *
 * Node.js 20.18.3+ and 22.13.0+ decode `windows-1252` — the label `iso-8859-1`, `latin1` and
 * `us-ascii` resolve to as well — through a Latin-1 fast path, so the bytes 0x80–0x9F come out as
 * invisible C1 controls instead of € ‚ „ … ‘ ’ “ ” – — ™ (nodejs/node#60888). Those are the
 * characters Outlook's mail is full of, and the mail parser decodes with the runtime's
 * TextDecoder. Where the runtime is wrong, `TextDecoder` is replaced by a subclass that decodes
 * windows-1252 itself (Latin-1 plus the standard's 32 characters) and leaves every other encoding
 * to the runtime; a runtime that gets it right is left untouched.
 */

/** The Encoding Standard's index-windows-1252 for 0x80–0x9F; the five bytes it leaves as C1 controls map to themselves. */
const C1_AS_WINDOWS_1252 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

type DecoderInput = Parameters<InstanceType<typeof TextDecoder>['decode']>[0];
type DecodeOptions = Parameters<InstanceType<typeof TextDecoder>['decode']>[1];

function decodeWindows1252(input: DecoderInput): string {
  if (input === undefined || input === null) return '';
  const bytes = ArrayBuffer.isView(input) ? Buffer.from(input.buffer, input.byteOffset, input.byteLength) : Buffer.from(input);
  return bytes.toString('latin1').replace(/[\u0080-\u009f]/g, (control) => C1_AS_WINDOWS_1252[control.charCodeAt(0) - 0x80] ?? control);
}

function decodesWindows1252Right(): boolean {
  return new TextDecoder('windows-1252').decode(Uint8Array.of(0x80, 0x93, 0x94)) === '€“”';
}

class StandardWindows1252TextDecoder extends TextDecoder {
  override decode(input?: DecoderInput, options?: DecodeOptions): string {
    // A single-byte encoding has nothing to carry between chunks, so streaming changes nothing.
    return this.encoding === 'windows-1252' ? decodeWindows1252(input) : super.decode(input, options);
  }
}

let ensured = false;

/** Idempotent. Must run before the first windows-1252 decoder is made (decoders are kept). */
export function ensureStandardWindows1252(): void {
  if (ensured) return;
  ensured = true;
  if (!decodesWindows1252Right()) globalThis.TextDecoder = StandardWindows1252TextDecoder;
}

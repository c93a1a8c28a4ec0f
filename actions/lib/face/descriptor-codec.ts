/**
 * Descriptors are stored as the hex of their Float32Array bytes, little-endian: an exact round trip (NaN payloads,
 * -0 and subnormals included), which decimal JSON would not guarantee, at 8 characters a float.
 */
import { endianness } from 'node:os';
import { DescriptorFormatError } from './errors';

/** face-api's recognition net gives 128 floats. */
export const DESCRIPTOR_LENGTH = 128;

const LITTLE_ENDIAN = endianness() === 'LE';
const HEX = /^(?:[0-9a-f]{8})*$/;

/** Byte copy, swapped to little-endian on a big-endian machine. Never goes through JS numbers (NaN bits). */
function toLittleEndian(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  if (!LITTLE_ENDIAN) for (let i = 0; i < out.length; i += 4) out.subarray(i, i + 4).reverse();
  return out;
}

export function encodeDescriptor(descriptor: Float32Array): string {
  const bytes = new Uint8Array(descriptor.buffer, descriptor.byteOffset, descriptor.byteLength);
  return Buffer.from(toLittleEndian(bytes)).toString('hex');
}

/** `length` (floats) is checked when given; anything but lower-case hex of whole floats is an error. */
export function decodeDescriptor(hex: string, length?: number): Float32Array {
  if (typeof hex !== 'string') throw new DescriptorFormatError('a hex string', typeof hex);
  // Buffer.from(..., 'hex') silently stops at the first bad character, so the text is checked first.
  if (!HEX.test(hex)) {
    const shown = hex.length > 24 ? `${hex.slice(0, 24)}… (${hex.length} characters)` : `"${hex}"`;
    throw new DescriptorFormatError('lower-case hex, 8 characters per float', shown);
  }
  if (length !== undefined && hex.length !== length * 8) {
    throw new DescriptorFormatError(`${length} floats (${length * 8} hex characters)`, `${hex.length} characters`);
  }
  // A fresh, aligned buffer: a Buffer's own memory may sit at an offset that Float32Array cannot view.
  const bytes = toLittleEndian(Buffer.from(hex, 'hex'));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

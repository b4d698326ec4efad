/** Every way the marker could sit in a file: text in two encodings, base64 at each alignment, hex. */
export function markerEncodings(marker: string): Record<string, Buffer[]> {
  const base64 = [0, 1, 2].map((shift) => {
    // The marker's base64 depends on where it starts within a 3-byte group:
    // encode it after 0, 1 or 2 filler bytes and keep only the characters that
    // depend on the marker alone.
    const encoded = Buffer.concat([Buffer.alloc(shift, 0x41), Buffer.from(marker)]).toString(
      'base64',
    );
    const skip = Math.ceil((shift * 4) / 3) + (shift === 0 ? 0 : 1);
    return Buffer.from(encoded.slice(skip, encoded.length - 4));
  });
  return {
    'UTF-8': [Buffer.from(marker, 'utf8')],
    'UTF-16LE': [Buffer.from(marker, 'utf16le')],
    base64,
    hex: [
      Buffer.from(Buffer.from(marker).toString('hex')),
      Buffer.from(Buffer.from(marker).toString('hex').toUpperCase()),
    ],
  };
}

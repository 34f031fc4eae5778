/**
 * The bytes alone, in an ArrayBuffer of their own: structured clone (postMessage) copies a view's
 * whole ArrayBuffer, and a Buffer is often a view into a larger one (Node's pool, zlib's output),
 * so a small snapshot entry would carry kilobytes it does not use between the relay's threads.
 */
export const exactBytes = (u: Uint8Array): Uint8Array => (u.byteOffset === 0 && u.byteLength === u.buffer.byteLength ? u : u.slice())

/** exactBytes as a Buffer (a view of the same memory, not Node's pool). */
export const exactBuffer = (u: Uint8Array): Buffer => {
  const x = exactBytes(u)
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength)
}

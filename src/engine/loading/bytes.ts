/** Joins streamed chunks into one buffer of `size` bytes (one chunk is returned as is). */
export function concatBytes(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.byteLength === size) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** A response's body with progress as it streams in; a failure mid-way throws with `loaded`, the bytes received. */
export async function readBody(response: Response, onBytes: (loaded: number, total: number | undefined) => void): Promise<Uint8Array> {
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body.getReader();
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      chunks.push(next.value);
      loaded += next.value.byteLength;
      onBytes(loaded, total);
    }
  } catch (cause) {
    throw Object.assign(cause instanceof Error ? cause : new Error(String(cause)), { loaded });
  }
  return concatBytes(chunks, loaded);
}

/** A digest of `bytes` (SHA-256 unless told), for the integrity checks of what is loaded and kept. */
export async function digest(bytes: Uint8Array, algorithm = 'SHA-256'): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(algorithm, bytes as Uint8Array<ArrayBuffer>));
}

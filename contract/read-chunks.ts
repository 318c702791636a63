/**
 * A file as a sequence of chunks read into one reused buffer: no allocation per chunk, so a
 * multi-gigabyte drop is read in flat memory. Each chunk is valid only until the next one is
 * requested, which is how the CSV reader consumes them.
 */
import { open } from 'node:fs/promises';

export async function* readChunks(path: string, size = 1 << 20): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(size);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, size, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

import { open } from "node:fs/promises";

/**
 * Follows a JSON-lines file another process appends to: `poll()` hands every new complete line
 * (parsed) to `onLine`, in order. Call `poll()` periodically while the writer runs and once
 * after it ends.
 */
export class JsonLinesTail {
  private offset = 0;
  private pending: Buffer = Buffer.alloc(0);
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly onLine: (value: unknown) => Promise<void>,
  ) {}

  /** Reads what was appended since the last call; serialized, so lines are delivered once, in order. */
  poll(): Promise<void> {
    this.chain = this.chain.then(() => this.readNew());
    return this.chain;
  }

  private async readNew(): Promise<void> {
    let fh;
    try {
      fh = await open(this.path, "r");
    } catch {
      return; // not created yet
    }
    try {
      const chunks: Buffer[] = [];
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
        if (bytesRead === 0) break;
        chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
        this.offset += bytesRead;
      }
      if (chunks.length === 0) return;
      this.pending = Buffer.concat([this.pending, ...chunks]);
    } finally {
      await fh.close();
    }
    // Decode only up to the last newline: a read may end inside a line (or a UTF-8 sequence).
    const end = this.pending.lastIndexOf(0x0a);
    if (end < 0) return;
    const lines = this.pending.subarray(0, end).toString("utf8").split("\n");
    this.pending = Buffer.from(this.pending.subarray(end + 1));
    for (const line of lines) {
      if (line.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      await this.onLine(value);
    }
  }
}

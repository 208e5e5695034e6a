/** Process helpers for ansible-playbook runs: stop a whole process group, keep an output tail. */

const KILL_GRACE_MS = 5_000;

/** Signals a detached child's process group: SIGTERM, then SIGKILL after a grace period. */
export function groupStopper(pid: number | undefined): { stop(reason: "timeout" | "cancel"): void; done(): void; readonly reason: "timeout" | "cancel" | undefined } {
  let reason: "timeout" | "cancel" | undefined;
  let force: NodeJS.Timeout | undefined;
  let finished = false;
  const kill = (sig: NodeJS.Signals): void => {
    if (pid === undefined || finished) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  return {
    stop(why) {
      if (reason !== undefined || finished) return;
      reason = why;
      kill("SIGTERM");
      force = setTimeout(() => kill("SIGKILL"), KILL_GRACE_MS);
      force.unref();
    },
    done() {
      // Leftovers of a stopped run (a worker ignoring SIGTERM) get SIGKILL now.
      if (reason !== undefined) kill("SIGKILL");
      finished = true;
      if (force) clearTimeout(force);
    },
    get reason() {
      return reason;
    },
  };
}

/** Keeps the last `max` bytes of a stream. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - (this.chunks[0]?.length ?? 0) >= this.max) {
      const first = this.chunks.shift();
      this.size -= first?.length ?? 0;
      this.dropped += first?.length ?? 0;
    }
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString("utf8").replace(/\n$/, "");
    return this.dropped > 0 ? `…[truncated ${this.dropped} bytes]${text}` : text;
  }
}

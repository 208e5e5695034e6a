/**
 * https agents per client identity (mTLS, http-client.ts): one keep-alive pool per distinct
 * certificate + key + trusted CAs + server name, built on the client's base options (its SSRF
 * guarded lookup included). An agent is closed when unused for 5 minutes, when the endpoint
 * that used it switches to another identity (after its requests in flight), when more than
 * 1000 are cached (least recently used first), and on close().
 */
import { Agent as HttpsAgent } from "node:https";
import { rootCertificates } from "node:tls";
import type { ClientTls } from "./client-tls.js";
import { tlsIdentityKey } from "./client-tls.js";

/** A client-certificate agent unused this long is closed. */
const IDLE_AGENT_MS = 5 * 60_000;
/** Client-certificate agents kept at most (least recently used closed first). */
const MAX_TLS_AGENTS = 1000;

interface TlsAgent {
  readonly agent: HttpsAgent;
  lastUsed: number;
  inFlight: number;
  /** No longer handed out: destroyed once its requests are done. */
  retired: boolean;
}

/** https agents per client identity (mTLS): cached, closed when idle, replaced or on close(). */
export class TlsAgents {
  private readonly agents = new Map<string, TlsAgent>();
  /** owner (endpoint id) → identity key it used last */
  private readonly owners = new Map<string, string>();
  private lastSweep = 0;

  constructor(private readonly base: ConstructorParameters<typeof HttpsAgent>[0]) {}

  acquire(tls: ClientTls, owner: string | undefined): { agent: HttpsAgent; release: () => void } {
    const now = Date.now();
    this.sweep(now);
    const key = tlsIdentityKey(tls);
    let entry = this.agents.get(key);
    if (entry === undefined) {
      const agent = new HttpsAgent({
        ...this.base,
        ...(tls.certPem === undefined || tls.keyPem === undefined ? {} : { cert: tls.certPem, key: tls.keyPem }),
        // `ca` adds to the system's trust instead of replacing it.
        ...(tls.caPem === undefined ? {} : { ca: [...rootCertificates, tls.caPem] }),
      });
      entry = { agent, lastUsed: now, inFlight: 0, retired: false };
      this.agents.set(key, entry);
    }
    const e = entry;
    e.lastUsed = now;
    e.inFlight++;
    if (this.agents.size > MAX_TLS_AGENTS) this.evictLeastRecent();
    if (owner !== undefined) {
      const previous = this.owners.get(owner);
      this.owners.set(owner, key);
      if (previous !== undefined && previous !== key && ![...this.owners.values()].includes(previous)) this.retire(previous);
    }
    let released = false;
    return {
      agent: e.agent,
      release: () => {
        if (released) return;
        released = true;
        e.inFlight--;
        e.lastUsed = Date.now();
        if (e.retired && e.inFlight === 0) e.agent.destroy();
      },
    };
  }

  private retire(key: string): void {
    const e = this.agents.get(key);
    if (!e) return;
    this.agents.delete(key);
    e.retired = true;
    if (e.inFlight === 0) e.agent.destroy();
  }

  private evictLeastRecent(): void {
    let oldest: [string, TlsAgent] | undefined;
    for (const kv of this.agents) if (kv[1].inFlight === 0 && (oldest === undefined || kv[1].lastUsed < oldest[1].lastUsed)) oldest = kv;
    if (oldest) this.retire(oldest[0]);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, e] of this.agents) if (e.inFlight === 0 && now - e.lastUsed > IDLE_AGENT_MS) this.retire(key);
    for (const [owner, key] of this.owners) if (!this.agents.has(key)) this.owners.delete(owner);
  }

  /** Agents currently cached (tests). */
  size(): number {
    return this.agents.size;
  }

  close(): void {
    for (const e of this.agents.values()) e.agent.destroy();
    this.agents.clear();
    this.owners.clear();
  }
}

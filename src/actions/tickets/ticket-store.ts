import { setTimeout as sleep } from "node:timers/promises";
import { randomUUID } from "node:crypto";
import { stableId } from "../../core/ids.js";
import type { ActionStateStore } from "../types.js";
import { RemoteFailure } from "./http-call.js";
import type { TicketRef, TicketSystemName } from "./ticket-system.js";

/**
 * The dedup key → ticket mapping in the durable action state. One record per system and key:
 *   creating  a run holds the claim and is creating the ticket (claim token, claimed_at);
 *   open      the ticket exists: later opens comment on it, resolve closes it;
 *   resolved  closed by resolve_ticket: a later open creates a NEW ticket (the old one is kept in `previous`);
 *   failed    the create failed: a later open claims the key again.
 * Every transition is a compare-and-set, so concurrent runs create at most one ticket per key.
 */
export type TicketStatus = "creating" | "open" | "resolved" | "failed";

export interface PastTicket {
  readonly ticket: TicketRef;
  readonly resolved_at?: number;
}

export interface TicketRecord {
  readonly system: TicketSystemName;
  readonly dedup_key: string;
  readonly status: TicketStatus;
  readonly ticket?: TicketRef;
  readonly claim?: string;
  readonly claimed_at?: number;
  readonly opened_at?: number;
  readonly updated_at: number;
  /** Comments / re-triggers made by later opens of the same key. */
  readonly updates: number;
  readonly resolved_at?: number;
  readonly missing?: boolean;
  readonly error?: string;
  /** Earlier tickets of this key (last 5), newest last. */
  readonly previous?: readonly PastTicket[];
}

const MAX_PREVIOUS = 5;

/** `ticket.<system>.<first 32 hex of sha256(dedup_key)>` (KV-safe whatever the key holds). */
export function ticketStateKey(system: TicketSystemName, dedupKey: string): string {
  return `ticket.${system}.${stableId(dedupKey)}`;
}

export interface StoreOptions {
  readonly state: ActionStateStore;
  readonly key: string;
  readonly system: TicketSystemName;
  readonly dedupKey: string;
  readonly nowMs: () => number;
  readonly signal: AbortSignal;
  /** A claim older than this (in record time, or waited for in real time) is abandoned and can be taken over. */
  readonly staleMs: number;
}

export type Acquired =
  | { readonly kind: "claimed"; readonly revision: number; readonly record: TicketRecord }
  | { readonly kind: "open"; readonly revision: number; readonly record: TicketRecord & { ticket: TicketRef } };

function isOpen(r: TicketRecord): r is TicketRecord & { ticket: TicketRef } {
  return r.status === "open" && r.ticket !== undefined;
}

function history(r: TicketRecord): PastTicket[] {
  const past = [...(r.previous ?? [])];
  if (r.ticket && r.status === "resolved") past.push({ ticket: r.ticket, ...(r.resolved_at !== undefined ? { resolved_at: r.resolved_at } : {}) });
  return past.slice(-MAX_PREVIOUS);
}

/** Waits for a record that is not `creating` (or a stale claim); polls with backoff. */
async function poll<T>(o: StoreOptions, step: (cur: { value: TicketRecord; revision: number } | undefined, stale: boolean) => Promise<T | undefined>): Promise<T> {
  let delay = 20;
  let seen: { revision: number; since: number } | undefined;
  for (;;) {
    const cur = await o.state.get<TicketRecord>(o.key);
    let stale = false;
    if (cur?.value.status === "creating") {
      if (!seen || seen.revision !== cur.revision) seen = { revision: cur.revision, since: Date.now() };
      stale = o.nowMs() - (cur.value.claimed_at ?? 0) >= o.staleMs || Date.now() - seen.since >= o.staleMs;
    }
    const done = await step(cur, stale);
    if (done !== undefined) return done;
    if (cur?.value.status === "creating" && !stale) {
      try {
        await sleep(delay, undefined, { signal: o.signal });
      } catch {
        throw new RemoteFailure("HB_ERR_ACTION_TIMEOUT", "cancelled while another run was creating the ticket", "transient", { retry: "transient" }, true);
      }
      delay = Math.min(delay * 2, 250);
    }
  }
}

/** Claim the key for creating a ticket, or get the open ticket to update. */
export async function acquire(o: StoreOptions): Promise<Acquired> {
  const token = randomUUID();
  const claimRecord = (previous: readonly PastTicket[]): TicketRecord => ({
    system: o.system,
    dedup_key: o.dedupKey,
    status: "creating",
    claim: token,
    claimed_at: o.nowMs(),
    updated_at: o.nowMs(),
    updates: 0,
    ...(previous.length > 0 ? { previous } : {}),
  });
  const confirm = async (): Promise<Acquired | undefined> => {
    const mine = await o.state.get<TicketRecord>(o.key);
    return mine && mine.value.claim === token && mine.value.status === "creating" ? { kind: "claimed", revision: mine.revision, record: mine.value } : undefined;
  };
  return poll<Acquired>(o, async (cur, stale) => {
    if (!cur) return (await o.state.create(o.key, claimRecord([]))) ? confirm() : undefined;
    const r = cur.value;
    if (isOpen(r)) return { kind: "open", revision: cur.revision, record: r };
    if (r.status === "creating" && !stale) return undefined;
    // resolved, failed, or an abandoned claim: take the key over (compare-and-set on what we read).
    return (await o.state.update(o.key, claimRecord(history(r)), cur.revision)) ? confirm() : undefined;
  });
}

/** The claimed key now has its ticket. */
export async function markOpen(o: StoreOptions, claim: Acquired & { kind: "claimed" }, ticket: TicketRef): Promise<void> {
  const { claim: _token, claimed_at: _at, error: _error, ...rest } = claim.record;
  const record: TicketRecord = { ...rest, status: "open", ticket, opened_at: o.nowMs(), updated_at: o.nowMs(), updates: 0 };
  // Only fails if a slow create was taken over as abandoned: this ticket exists, so record it anyway.
  if (!(await o.state.update(o.key, record, claim.revision))) await o.state.put(o.key, record);
}

/** The create failed: release the claim so a later open (or a retry) claims the key again. */
export async function markFailed(o: StoreOptions, claim: Acquired & { kind: "claimed" }, error: string): Promise<void> {
  const { claim: _token, claimed_at: _at, ...rest } = claim.record;
  await o.state.update(o.key, { ...rest, status: "failed", error, updated_at: o.nowMs() } satisfies TicketRecord, claim.revision);
}

/** Apply `change` to the record while it still maps to `ticket` (compare-and-set, a few tries). */
async function change(o: StoreOptions, ticket: TicketRef, fn: (r: TicketRecord) => TicketRecord): Promise<TicketRecord | undefined> {
  for (let i = 0; i < 8; i++) {
    const cur = await o.state.get<TicketRecord>(o.key);
    if (!cur || cur.value.ticket?.id !== ticket.id) return undefined;
    const next = fn(cur.value);
    if (await o.state.update(o.key, next, cur.revision)) return next;
  }
  return undefined;
}

export async function countUpdate(o: StoreOptions, ticket: TicketRef): Promise<number | undefined> {
  const next = await change(o, ticket, (r) => ({ ...r, updates: r.updates + 1, updated_at: o.nowMs() }));
  return next?.updates;
}

export async function markResolved(o: StoreOptions, ticket: TicketRef, missing: boolean): Promise<void> {
  await change(o, ticket, (r) => ({ ...r, status: "resolved", resolved_at: o.nowMs(), updated_at: o.nowMs(), ...(missing ? { missing: true } : {}) }));
}

/** The record once no run is creating (undefined when the key was never opened). */
export async function settled(o: StoreOptions): Promise<{ value: TicketRecord; revision: number } | undefined> {
  const none = Symbol("none");
  const got = await poll<{ value: TicketRecord; revision: number } | typeof none>(o, async (cur, stale) => {
    if (!cur) return none;
    if (cur.value.status !== "creating") return cur;
    if (stale) throw new RemoteFailure("HB_ERR_ACTION_FAILED", "the ticket for this key is still being created by another run", "transient", { retry: "transient" });
    return undefined;
  });
  return got === none ? undefined : got;
}

/**
 * Reading the delivery log and dead letters back (admin API): the newest attempt records or
 * dead letters of an endpoint, and its 24-hour statistics, computed from the streams so every
 * replica's attempts count. Reads walk the endpoint's subject from a start time, widening the
 * window (1 h, 24 h, 30 d) only when the newest `limit` records are not found in the narrower one.
 */
import type { Bus } from "../bus/port.js";
import { decodeJson } from "../bus/port.js";
import type { EndpointHealth } from "./health-store.js";
import { STREAM_WEBHOOK_ATTEMPTS, STREAM_WEBHOOK_DLQ, attemptSubject, deadLetterSubject } from "./outbound-streams.js";
import type { AttemptRecord, DeadLetterRecord } from "./records.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WINDOWS = [HOUR, DAY, 30 * DAY];
/** Latencies kept for the percentiles: the newest this many attempts of the window. */
const MAX_LATENCY_SAMPLES = 10_000;

export interface EndpointStats {
  readonly endpoint_id: string;
  readonly window_hours: 24;
  readonly attempts: number;
  readonly delivered: number;
  /** Failed attempts in the last 24 h. */
  readonly failures_24h: number;
  /** delivered / attempts over the window; null without attempts. */
  readonly success_rate: number | null;
  readonly latency_ms: { readonly p50: number; readonly p95: number } | null;
  readonly dead_letters_24h: number;
  readonly last_success_at: string | null;
  readonly last_attempt_at: string | null;
  readonly failing_since: string | null;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

async function newest<T>(bus: Bus, stream: string, subject: string, limit: number, now: number): Promise<T[]> {
  for (const [i, window] of WINDOWS.entries()) {
    let kept: T[] = [];
    for await (const m of bus.readMessages!(stream, { subject, startTimeMs: now - window })) {
      kept.push(decodeJson<T>(m.data));
      if (kept.length >= 2 * limit) kept = kept.slice(-limit);
    }
    if (kept.length >= limit || i === WINDOWS.length - 1) return kept.slice(-limit).reverse();
  }
  return [];
}

/** The newest attempt records, newest first. */
export function recentAttempts(bus: Bus, endpointId: string, limit: number, now: number): Promise<AttemptRecord[]> {
  return newest<AttemptRecord>(bus, STREAM_WEBHOOK_ATTEMPTS, attemptSubject(endpointId), limit, now);
}

/** The newest dead letters, newest first. */
export function recentDeadLetters(bus: Bus, endpointId: string, limit: number, now: number): Promise<DeadLetterRecord[]> {
  return newest<DeadLetterRecord>(bus, STREAM_WEBHOOK_DLQ, deadLetterSubject(endpointId), limit, now);
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export async function endpointStats(bus: Bus, endpointId: string, health: EndpointHealth, now: number): Promise<EndpointStats> {
  const since = now - DAY;
  let attempts = 0;
  let delivered = 0;
  let latencies: number[] = [];
  let lastSuccess: number | undefined;
  let lastAttempt: number | undefined;
  for await (const m of bus.readMessages!(STREAM_WEBHOOK_ATTEMPTS, { subject: attemptSubject(endpointId), startTimeMs: since })) {
    const rec = decodeJson<AttemptRecord>(m.data);
    if (rec.outcome === "test") continue;
    const at = Date.parse(rec.at);
    attempts++;
    lastAttempt = Math.max(lastAttempt ?? at, at);
    if (rec.outcome === "delivered") {
      delivered++;
      lastSuccess = Math.max(lastSuccess ?? at, at);
    }
    latencies.push(rec.latency_ms);
    if (latencies.length >= 2 * MAX_LATENCY_SAMPLES) latencies = latencies.slice(-MAX_LATENCY_SAMPLES);
  }
  let deadLetters = 0;
  for await (const _m of bus.readMessages!(STREAM_WEBHOOK_DLQ, { subject: deadLetterSubject(endpointId), startTimeMs: since })) deadLetters++;
  const sorted = latencies.slice(-MAX_LATENCY_SAMPLES).sort((a, b) => a - b);
  const success = lastSuccess ?? health.lastSuccessAt;
  return {
    endpoint_id: endpointId,
    window_hours: 24,
    attempts,
    delivered,
    failures_24h: attempts - delivered,
    success_rate: attempts === 0 ? null : delivered / attempts,
    latency_ms: sorted.length === 0 ? null : { p50: percentile(sorted, 50), p95: percentile(sorted, 95) },
    dead_letters_24h: deadLetters,
    last_success_at: iso(success),
    last_attempt_at: iso(lastAttempt),
    failing_since: iso(health.failingSince),
  };
}

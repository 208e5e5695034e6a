/**
 * Prometheus metrics of the ingest server (prom-client), registered on a Registry the caller
 * passes in, never on prom-client's global default registry: two servers in one process (tests,
 * or ingest next to the admin API) keep their own counters. Served as text on `GET /metrics`.
 *
 * Names (docs/ingest.md):
 *  hookbook_ingest_requests_total{source,kind,code}   every answer on /hooks/<source> (code = HTTP status)
 *  hookbook_ingest_events_received_total{source}      events of authenticated, well-formed requests within limits
 *  hookbook_ingest_events_accepted_total{source}      events in 202 answers (stored now, duplicates included)
 *  hookbook_ingest_events_duplicate_total{source}     of those, already stored before (a retry)
 *  hookbook_ingest_events_stale_total{source}         of those, older than the newest seen for their subject
 *  hookbook_ingest_events_dropped_total{source}       of those, stale and dropped (source option dropStale)
 *  hookbook_ingest_rejected_total{source,reason}      non-2xx answers by HB_ERR code
 *  hookbook_ingest_client_errors_total{reason}        connections refused before routing (431 headers, 408, 400)
 *  hookbook_ingest_publish_seconds{source}            events ready → last PubAck of a request (202 only)
 *  hookbook_ingest_request_seconds{source}            request received → answer sent
 *  hookbook_ingest_threads                            preparation threads ready (0: requests prepared in the HTTP thread)
 * `source` is "(unknown)" for a name no source has, so a scan of random names adds one series.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The `source` label of requests for a source name that is not configured. */
export const UNKNOWN_SOURCE_LABEL = "(unknown)";

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What a 202 answer says about its events (AcceptedBody of ./pipeline.ts, read loosely). */
export interface StoredSummary {
  readonly accepted: number;
  readonly duplicates: number;
  readonly events: readonly { readonly stale?: boolean; readonly dropped?: boolean }[];
}

/**
 * Counts kept in plain numbers and handed to prom-client when it collects (each scrape): a request
 * costs a Map lookup per counter instead of prom-client's label hashing and checks.
 */
interface Tally<L extends string> {
  readonly labels: Partial<Record<L, string>>;
  n: number;
}
const tallies = new WeakMap<Counter<string>, Map<string, Tally<string>>>();

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Counter<L>;
  const counts = new Map<string, Tally<string>>();
  const created = new Counter<L>({
    name,
    help,
    labelNames: [...labelNames],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of counts.values()) this.inc(t.labels, t.n);
    },
  });
  tallies.set(created as Counter<string>, counts);
  return created;
}

/** Adds `n` to the counter's series `key` (a string naming the label values) with these labels. */
function add<L extends string>(c: Counter<L>, key: string, labels: Partial<Record<L, string>>, n = 1): void {
  const counts = tallies.get(c as Counter<string>);
  if (counts === undefined) {
    c.inc(labels, n);
    return;
  }
  const t = counts.get(key);
  if (t === undefined) counts.set(key, { labels, n });
  else t.n += n;
}

function histogram<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Histogram<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Histogram) return existing as Histogram<L>;
  return new Histogram<L>({ name, help, labelNames: [...labelNames], buckets: LATENCY_BUCKETS, registers: [registry] });
}

export class IngestMetrics {
  readonly registry: Registry;
  private readonly requests: Counter<"source" | "kind" | "code">;
  private readonly received: Counter<"source">;
  private readonly accepted: Counter<"source">;
  private readonly duplicates: Counter<"source">;
  private readonly stale: Counter<"source">;
  private readonly dropped: Counter<"source">;
  private readonly rejected: Counter<"source" | "reason">;
  private readonly clientErrors: Counter<"reason">;
  private readonly publishSeconds: Histogram<"source">;
  private readonly requestSeconds: Histogram<"source">;

  /** Registers the ingest metrics on `registry` (reusing them when already there). */
  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    this.requests = counter(registry, "hookbook_ingest_requests_total", "Requests answered on /hooks/<source>, by HTTP status code.", ["source", "kind", "code"]);
    this.received = counter(registry, "hookbook_ingest_events_received_total", "Events in authenticated, well-formed requests within the limits.", ["source"]);
    this.accepted = counter(registry, "hookbook_ingest_events_accepted_total", "Events answered 202: stored now (duplicates included).", ["source"]);
    this.duplicates = counter(registry, "hookbook_ingest_events_duplicate_total", "Accepted events the bus already held (a retry): nothing new stored.", ["source"]);
    this.stale = counter(registry, "hookbook_ingest_events_stale_total", "Accepted events older than the newest seen for their subject.", ["source"]);
    this.dropped = counter(registry, "hookbook_ingest_events_dropped_total", "Stale events not stored (source option dropStale).", ["source"]);
    this.rejected = counter(registry, "hookbook_ingest_rejected_total", "Requests answered with an error, by HB_ERR code.", ["source", "reason"]);
    this.clientErrors = counter(registry, "hookbook_ingest_client_errors_total", "Connections answered before routing (header overflow, timeout, malformed HTTP), by HB_ERR code.", ["reason"]);
    this.publishSeconds = histogram(registry, "hookbook_ingest_publish_seconds", "Seconds from a request's events being ready to its last PubAck (202 answers).", ["source"]);
    this.requestSeconds = histogram(registry, "hookbook_ingest_request_seconds", "Seconds from request received to answer sent on /hooks/<source>.", ["source"]);
  }

  /** One answered request on /hooks/<source>. */
  requestDone(source: string, kind: string, statusCode: number, seconds: number): void {
    add(this.requests, `${source}\u0000${kind}\u0000${statusCode}`, { source, kind, code: String(statusCode) });
    if (Number.isFinite(seconds) && seconds >= 0) this.requestSeconds.observe({ source }, seconds);
  }

  eventsReceived(source: string, count: number): void {
    if (count > 0) add(this.received, source, { source }, count);
  }

  /** A 202: its events, and how long storing them took. */
  eventsStored(source: string, summary: StoredSummary, publishSeconds: number | undefined): void {
    if (summary.accepted > 0) add(this.accepted, source, { source }, summary.accepted);
    if (summary.duplicates > 0) add(this.duplicates, source, { source }, summary.duplicates);
    let stale = 0;
    let dropped = 0;
    for (const e of summary.events) {
      if (e.stale === true) stale++;
      if (e.dropped === true) dropped++;
    }
    if (stale > 0) add(this.stale, source, { source }, stale);
    if (dropped > 0) add(this.dropped, source, { source }, dropped);
    if (publishSeconds !== undefined && Number.isFinite(publishSeconds) && publishSeconds >= 0) {
      this.publishSeconds.observe({ source }, publishSeconds);
    }
  }

  requestRejected(source: string, reason: string): void {
    add(this.rejected, `${source}\u0000${reason}`, { source, reason });
  }

  clientError(reason: string): void {
    add(this.clientErrors, reason, { reason });
  }

  /** hookbook_ingest_threads reads `ready()` at each scrape. */
  threadsFrom(ready: () => number): void {
    if (this.registry.getSingleMetric("hookbook_ingest_threads") !== undefined) this.registry.removeSingleMetric("hookbook_ingest_threads");
    new Gauge({
      name: "hookbook_ingest_threads",
      help: "Preparation threads ready for work (0: requests are prepared in the HTTP thread).",
      registers: [this.registry],
      collect() {
        this.set(ready());
      },
    });
  }
}

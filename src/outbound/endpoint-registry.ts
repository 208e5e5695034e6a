/**
 * The endpoints this process knows (config + API), with compiled payload filters: what the
 * router matches outcomes against and what delivery handlers read on every message, so a
 * change (secret rotation, URL, disable) applies to the next attempt.
 */
import type { OutcomeMessage } from "../core/outcome.js";
import { matchesEventType } from "./endpoint-match.js";
import type { FilterPredicate } from "./payload-filter.js";
import { compileFilter } from "./payload-filter.js";
import type { EndpointSource, Subscription } from "./subscription.js";

export interface EndpointEntry {
  readonly sub: Subscription;
  readonly source: EndpointSource;
  readonly filter?: FilterPredicate;
}

export class EndpointRegistry {
  private readonly entries = new Map<string, EndpointEntry>();

  set(sub: Subscription, source: EndpointSource): EndpointEntry {
    let filter: FilterPredicate | undefined;
    if (sub.filter !== undefined && sub.filter !== null) {
      const compiled = compileFilter(sub.filter);
      // A stored filter was validated on the way in; an invalid one (edited by hand) matches nothing.
      filter = compiled.ok ? compiled.test : () => false;
    }
    const entry: EndpointEntry = { sub, source, ...(filter === undefined ? {} : { filter }) };
    this.entries.set(sub.id, entry);
    return entry;
  }

  get(id: string): EndpointEntry | undefined {
    return this.entries.get(id);
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  all(): EndpointEntry[] {
    return [...this.entries.values()];
  }

  /**
   * Endpoints an outcome goes to (enabled or not; the router dead-letters for disabled ones).
   * An `endpoint.*` or `message.attempt.*` operational event about an endpoint is never sent to
   * that endpoint itself (no feedback loop through a failing endpoint).
   */
  matching(outcome: OutcomeMessage): EndpointEntry[] {
    const about = outcome.type.startsWith("endpoint.") || outcome.type.startsWith("message.attempt.") ? outcome.data["endpoint_id"] : undefined;
    return this.all().filter((e) => e.sub.id !== about && matchesEventType(e.sub.events, outcome.type) && (e.filter === undefined || e.filter(outcome)));
  }
}

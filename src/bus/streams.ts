import type { StreamSpec } from "./port.js";

/** The three hops of DESIGN.md §1. Subjects: events.<source>.<type>, actions.<ruleset>, outcomes.<type>. */
export const STREAM_EVENTS = "HB_EVENTS";
export const STREAM_ACTIONS = "HB_ACTIONS";
export const STREAM_OUTCOMES = "HB_OUTCOMES";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function defaultStreams(): StreamSpec[] {
  return [
    { name: STREAM_EVENTS, subjects: ["events.>"], retention: "limits", duplicateWindowMs: 2 * HOUR, maxAgeMs: 7 * DAY },
    { name: STREAM_ACTIONS, subjects: ["actions.>"], retention: "workqueue", duplicateWindowMs: 2 * HOUR, maxAgeMs: 7 * DAY },
    { name: STREAM_OUTCOMES, subjects: ["outcomes.>"], retention: "limits", duplicateWindowMs: 2 * HOUR, maxAgeMs: 14 * DAY },
  ];
}

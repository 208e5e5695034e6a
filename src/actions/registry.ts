import { debugAction } from "./debug.js";
import { postEventAction, retractFactAction, setFactAction, shutdownAction } from "./internal.js";
import { noneAction, printEventAction } from "./print-event.js";
import { postAction } from "./post.js";
import { runCommandAction } from "./run-command.js";
import type { ActionKind } from "./types.js";

export type ActionRegistry = ReadonlyMap<string, ActionKind>;

/** Every action kind this build runs, one per line (add new kinds on their own line). */
const KINDS: readonly ActionKind[] = [
  debugAction,
  printEventAction,
  noneAction,
  runCommandAction,
  postAction,
  postEventAction,
  setFactAction,
  retractFactAction,
  shutdownAction,
];

export function defaultActionRegistry(): ActionRegistry {
  return new Map(KINDS.map((k) => [k.name, k]));
}

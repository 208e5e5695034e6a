import { debugAction } from "./debug.js";
import { postEventAction, retractFactAction, setFactAction, shutdownAction } from "./internal.js";
import { noneAction, printEventAction } from "./print-event.js";
import { postAction } from "./post.js";
import { runCommandAction } from "./run-command.js";
import type { ActionKind } from "./types.js";

export type ActionRegistry = ReadonlyMap<string, ActionKind>;

/** Every action kind this build runs, by rulebook name. */
export function defaultActionRegistry(): ActionRegistry {
  return new Map([debugAction, printEventAction, noneAction, runCommandAction, postAction, postEventAction, setFactAction, retractFactAction, shutdownAction].map((k) => [k.name, k]));
}

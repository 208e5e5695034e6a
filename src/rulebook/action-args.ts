import { Ajv } from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import schema from "./schema/rulebook.schema.json" with { type: "json" };

/** Names of every action the schema knows (builtins of ansible-rulebook plus hookbook's). */
export const ACTION_NAMES: readonly string[] = Object.keys(schema.definitions.action_args);

export const RULESET_KEYS: readonly string[] = Object.keys(schema.definitions.ruleset.properties);
export const RULE_KEYS: readonly string[] = Object.keys(schema.definitions.rule.properties);

const ajv = new Ajv({ allErrors: false, strict: false });
ajv.addSchema(schema, "rulebook");
const validators = new Map<string, ValidateFunction>();

function validatorFor(action: string): ValidateFunction | undefined {
  if (!ACTION_NAMES.includes(action)) return undefined;
  let v = validators.get(action);
  if (!v) {
    v = ajv.getSchema(`rulebook#/definitions/action_args/${action}`);
    if (!v) return undefined;
    validators.set(action, v);
  }
  return v;
}

export interface ArgProblem {
  /** Path inside the args object, e.g. ["extra_vars"] (empty = the args object itself). */
  readonly path: readonly string[];
  readonly message: string;
}

/** Validate one action's arguments; returns a readable problem or undefined when valid. */
export function checkActionArgs(action: string, args: unknown): ArgProblem | undefined {
  const validate = validatorFor(action);
  if (!validate) return { path: [], message: `unknown action '${action}'` };
  if (validate(args)) return undefined;
  return describe(action, (validate.errors ?? [])[0]);
}

function describe(action: string, err: ErrorObject | undefined): ArgProblem {
  if (!err) return { path: [], message: `invalid arguments for ${action}` };
  const path = err.instancePath.split("/").filter(Boolean).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const where = path.length > 0 ? `'${path.join(".")}'` : "arguments";
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "additionalProperties":
      return { path, message: `${action} does not take argument '${String(p.additionalProperty)}'` };
    case "required":
      return { path, message: `${action} requires argument '${String(p.missingProperty)}'` };
    case "type":
      return { path, message: `${action} ${where} must be ${String(p.type)}` };
    case "enum":
      return { path, message: `${action} ${where} must be one of ${JSON.stringify(p.allowedValues)}` };
    case "pattern":
      return { path, message: `${action} ${where} must look like '<int> <unit>' (e.g. '30 seconds')` };
    case "oneOf":
      return { path, message: `${action} ${where} has the wrong shape` };
    case "not":
      return { path, message: `${action} takes 'msg' or 'var', not both` };
    default:
      return { path, message: `${action} ${where} ${err.message ?? "is invalid"}` };
  }
}

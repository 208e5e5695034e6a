/**
 * Jinja2-compatible templating of action arguments (ansible-rulebook: NativeEnvironment +
 * StrictUndefined). Pure: no I/O. See render.ts for result types, py-format.ts for text formatting,
 * filters.ts for the filter list, methods.ts for the callable methods.
 */
export { compileTemplate, hasTemplateSyntax, renderString, renderValue } from "./render.js";
export type { CompiledTemplate, TemplateVars } from "./render.js";
export { filterNames } from "./filters.js";

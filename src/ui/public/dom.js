// @ts-check
/**
 * Building DOM nodes without HTML strings: every piece of data becomes a text node or an
 * attribute value (setAttribute), never markup. Response excerpts, error messages and URLs
 * come from outside (receivers, API callers), so innerHTML is never used anywhere in the UI.
 */

/** @typedef {Node | string | number | null | undefined | false} Child */
/** @typedef {Child | Child[]} Children */

/**
 * Attributes by name (string values; `true` sets an empty attribute, false/null/undefined skip
 * it), except `on<event>` keys, which add listeners.
 * @typedef {Record<string, string | number | boolean | null | undefined | ((ev: any) => void)>} Props
 */

/**
 * @param {Node} parent
 * @param {Children[]} children
 */
function append(parent, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/**
 * `h("td", {class: "num"}, "12 ms")`: an element with attributes, listeners and children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...Children} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (typeof v === "function") {
      if (!k.startsWith("on")) throw new TypeError(`h(): function for ${k}`);
      el.addEventListener(k.slice(2), v);
    } else if (v === true) el.setAttribute(k, "");
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

/**
 * Replace every child of `el`.
 * @param {Element} el
 * @param {...Children} children
 */
export function replaceChildren(el, ...children) {
  el.textContent = "";
  append(el, children);
}

/**
 * The element with this id (throws when the page lacks it).
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
export function byId(id, type) {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`page element #${id} missing`);
  return el;
}

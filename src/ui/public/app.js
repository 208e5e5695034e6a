// @ts-check
/**
 * hookbook operator UI: asks for the admin token, then shows the endpoints list (#/) and one
 * endpoint (#/endpoints/<id>). Talks to the admin API only (api.js); builds every node through
 * dom.js (no HTML strings).
 */
import { ApiError, call, setUnauthorizedHandler, token } from "./api.js";
import { byId, h, replaceChildren } from "./dom.js";
import { endpointView } from "./endpoint-view.js";
import { endpointsView } from "./endpoints-view.js";
import { errorBox } from "./widgets.js";

const main = byId("main", HTMLElement);
const session = byId("session", HTMLElement);
const signOut = byId("sign-out", HTMLButtonElement);

/** @type {import("./types.js").View} */
let current = { stop() {} };

/**
 * The token prompt, with a message saying why it is shown again.
 * @param {string | ApiError} [why]
 */
function showLogin(why) {
  current.stop();
  current = { stop() {} };
  session.hidden = true;
  const input = h("input", { id: "token", type: "password", autocomplete: "off", spellcheck: "false", required: true, "aria-describedby": "token-help" });
  const button = h("button", { type: "submit", id: "sign-in" }, "Sign in");
  const message = h("div", { id: "login-message" });
  if (why instanceof ApiError) replaceChildren(message, errorBox(why, "Authentication"), h("p", { class: "muted small" }, "Enter the admin token again."));
  else if (why) replaceChildren(message, h("p", { class: "notice", role: "status" }, why));
  const form = h(
    "form",
    { class: "login", id: "login" },
    h("label", { for: "token" }, "Admin API token"),
    input,
    button,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const value = input.value.trim();
    if (value === "") return;
    button.disabled = true;
    token.set(value);
    input.value = "";
    call("GET", "webhooks").then(
      () => {
        // a changed fragment routes through hashchange; an unchanged one is routed here
        if (location.hash === "" || location.hash === "#") location.hash = "#/";
        else route();
      },
      (/** @type {unknown} */ err) => {
        button.disabled = false;
        // 401 already brought the prompt back with its message
        if (!(err instanceof ApiError && err.status === 401)) replaceChildren(message, errorBox(err, "Sign-in"));
      },
    );
  });
  replaceChildren(
    main,
    h(
      "section",
      { class: "login-box", "aria-labelledby": "login-title" },
      h("h1", { id: "login-title" }, "Sign in"),
      message,
      form,
      h(
        "p",
        { id: "token-help", class: "muted small" },
        "The admin token is hookbook's api.token (HOOKBOOK_API_TOKEN). It stays in this browser tab only (sessionStorage, cleared when the tab closes) and is sent as an Authorization header, never in a URL.",
      ),
    ),
  );
  input.focus();
}

/** Render the view the URL fragment names. */
function route() {
  if (token.get() === "") {
    showLogin();
    return;
  }
  current.stop();
  session.hidden = false;
  const m = /^#\/endpoints\/([^/]+)$/.exec(location.hash);
  if (m) {
    let id = "";
    try {
      id = decodeURIComponent(m[1] ?? "");
    } catch {
      id = "";
    }
    current = endpointView(main, id);
    document.title = `${id} · hookbook`;
  } else {
    current = endpointsView(main);
    document.title = "Endpoints · hookbook";
  }
  main.focus({ preventScroll: true });
}

setUnauthorizedHandler((err) => showLogin(err));
signOut.addEventListener("click", () => {
  token.clear();
  showLogin("Signed out.");
});
window.addEventListener("hashchange", route);
route();

import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", ".hookbook/**", "examples/**/*.py"] },
  { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly" } } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", setTimeout: "readonly", clearTimeout: "readonly", Buffer: "readonly", URL: "readonly", fetch: "readonly", AbortController: "readonly", AbortSignal: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", setInterval: "readonly", clearInterval: "readonly", setImmediate: "readonly", queueMicrotask: "readonly", structuredClone: "readonly", performance: "readonly" },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-syntax": ["error", { selector: "ExportAllDeclaration", message: "Use explicit named exports (DESIGN.md §5)." }],
    },
  },
  {
    // The web UI's browser modules (src/ui/public): browser globals only, and no HTML strings —
    // everything shown is built with DOM APIs / textContent (response excerpts are attacker-controlled).
    files: ["src/ui/public/**/*.js"],
    languageOptions: {
      sourceType: "module",
      globals: {
        process: "off",
        Buffer: "off",
        setImmediate: "off",
        window: "readonly",
        document: "readonly",
        location: "readonly",
        sessionStorage: "readonly",
        Node: "readonly",
        Event: "readonly",
        HTMLElement: "readonly",
        HTMLButtonElement: "readonly",
        HTMLInputElement: "readonly",
        HTMLSelectElement: "readonly",
        Response: "readonly",
      },
    },
    rules: {
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "Build nodes with dom.js h()/textContent: never HTML strings." },
        { property: "outerHTML", message: "Build nodes with dom.js h()/textContent: never HTML strings." },
        { property: "insertAdjacentHTML", message: "Build nodes with dom.js h()/textContent: never HTML strings." },
        { object: "document", property: "write", message: "Build nodes with dom.js h()/textContent: never HTML strings." },
        { object: "document", property: "writeln", message: "Build nodes with dom.js h()/textContent: never HTML strings." },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "ExportAllDeclaration", message: "Use explicit named exports (DESIGN.md §5)." },
        { selector: "CallExpression[callee.property.name='createContextualFragment']", message: "No HTML strings in the UI." },
        { selector: "NewExpression[callee.name='DOMParser']", message: "No HTML strings in the UI." },
      ],
      "no-eval": "error",
      "no-implied-eval": "error",
    },
  },
  {
    // DESIGN.md §5: loadConfig() is the only reader of process.env.
    files: ["src/**/*.ts"],
    ignores: ["src/config/**"],
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read configuration through loadConfig() (src/config) only." }],
      "no-restricted-syntax": [
        "error",
        { selector: "ExportAllDeclaration", message: "Use explicit named exports (DESIGN.md §5)." },
        { selector: "MemberExpression[object.name='process'][property.value='env']", message: "Read configuration through loadConfig() (src/config) only." },
      ],
    },
  },
);

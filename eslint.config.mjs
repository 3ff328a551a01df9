// ESLint (flat config) for the dashboard's browser modules: `make lint-js` runs it with --max-warnings 0, beside
// `tsc --noEmit`, which checks the types. Rules here are about correctness and the dashboard's layout, not style.
import js from "@eslint/js";
import globals from "globals";

const STATIC = "api/dashboard/static";

/** Files of one layer may not import the layers above it: lib ← actions ← views ← router ← main. */
function importsOnlyBelow(files, forbidden, why) {
  return {
    files: files.map((pattern) => `${STATIC}/${pattern}`),
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: forbidden, message: why }] }],
    },
  };
}

export default [
  { ignores: ["**/node_modules/**", ".venv/**", "build/**", "test-artifacts/**"] },
  {
    files: [`${STATIC}/**/*.js`],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.browser } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      ...js.configs.recommended.rules,
      eqeqeq: ["error", "always"],
      "no-var": "error",
      "prefer-const": "error",
      "no-shadow": "error",
      "no-implicit-coercion": ["error", { allow: ["!!"] }],
      "no-throw-literal": "error",
      "no-promise-executor-return": "error",
      "no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // Nothing read from the chain or the API is ever parsed as HTML: elements are built with lib/dom.js.
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "build elements with h() from lib/dom.js" },
        { property: "outerHTML", message: "build elements with h() from lib/dom.js" },
        { property: "insertAdjacentHTML", message: "build elements with h() from lib/dom.js" },
        { object: "document", property: "write", message: "build elements with h() from lib/dom.js" },
      ],
      "no-restricted-globals": ["error", { name: "eval", message: "never evaluate text" }],
      "no-implied-eval": "error",
      "no-new-func": "error",
    },
  },
  importsOnlyBelow(["lib/**/*.js"], ["**/views/**", "**/actions/**", "**/router.js", "**/main.js"],
    "lib/ is shared and view-free: it imports only lib/ (views and actions reach the router through lib/navigation.js)"),
  importsOnlyBelow(["actions/**/*.js"], ["**/views/**", "**/router.js", "**/main.js"],
    "an action does not draw a view or import the router: it asks lib/navigation.js to redraw"),
  importsOnlyBelow(["views/**/*.js"], ["**/router.js", "**/main.js", "./*"],
    "a view does not import the router or another view: shared pieces belong in lib/"),
  importsOnlyBelow(["router.js"], ["./main.js"], "main.js is the entry; nothing imports it"),
  {
    files: ["eslint.config.mjs"],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node } },
  },
];

/** Jest: TypeScript through SWC; unit, integration (in-process federation) and e2e (real processes) projects. */
const swc = ["@swc/jest", { jsc: { target: "es2022" }, module: { type: "commonjs" } }];
// A few dependencies ship ESM only (Node 20 can require() them, Jest's module system cannot): compile them too.
const esmOnly = ["content-disposition", "cookie", "@whatwg-node"];
const base = {
  testEnvironment: "node",
  transform: { "^.+\\.(t|j|mj)s$": swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join("|")})/)`],
  moduleFileExtensions: ["ts", "js", "mjs", "cjs", "json"],
};
module.exports = {
  testTimeout: 60000,
  projects: [
    { ...base, displayName: "unit", testMatch: ["<rootDir>/tests/unit/**/*.test.ts"] },
    { ...base, displayName: "integration", testMatch: ["<rootDir>/tests/integration/**/*.test.ts"], globalSetup: "<rootDir>/tests/helpers/global-setup.ts" },
    { ...base, displayName: "e2e", testMatch: ["<rootDir>/tests/e2e/**/*.test.ts"] },
  ],
};

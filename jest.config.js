/** Jest: TypeScript through SWC; unit, integration (in-process federation) and e2e (real processes) projects. */
const transform = { "^.+\\.tsx?$": ["@swc/jest", { jsc: { target: "es2022" } }] };
const base = { testEnvironment: "node", transform, moduleFileExtensions: ["ts", "js", "json"] };
module.exports = {
  testTimeout: 60000,
  projects: [
    { ...base, displayName: "unit", testMatch: ["<rootDir>/tests/unit/**/*.test.ts"] },
    { ...base, displayName: "integration", testMatch: ["<rootDir>/tests/integration/**/*.test.ts"] },
    { ...base, displayName: "e2e", testMatch: ["<rootDir>/tests/e2e/**/*.test.ts"] },
  ],
};

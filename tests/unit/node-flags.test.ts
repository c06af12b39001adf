import { gatewayNodeFlags } from "../../gateway/src/node-flags";

describe("gateway node flags", () => {
  it("limits the old space to 256 MB and leaves the young generation to V8 by default", () => {
    expect(gatewayNodeFlags({})).toEqual(["--max-old-space-size=256"]);
  });
  it("takes GATEWAY_SEMI_SPACE_MB, and 0 for V8's default", () => {
    expect(gatewayNodeFlags({ GATEWAY_SEMI_SPACE_MB: "16" })).toEqual(["--max-old-space-size=256", "--max-semi-space-size=16"]);
    expect(gatewayNodeFlags({ GATEWAY_SEMI_SPACE_MB: "0", GATEWAY_HEAP_MB: "0" })).toEqual([]);
    expect(() => gatewayNodeFlags({ GATEWAY_SEMI_SPACE_MB: "big" })).toThrow();
  });
  it("takes GATEWAY_HEAP_MB, and 0 for V8's default", () => {
    expect(gatewayNodeFlags({ GATEWAY_HEAP_MB: "512", GATEWAY_SEMI_SPACE_MB: "0" })).toEqual(["--max-old-space-size=512"]);
    expect(gatewayNodeFlags({ GATEWAY_HEAP_MB: "0", GATEWAY_SEMI_SPACE_MB: "0" })).toEqual([]);
  });
  it("refuses a value that is not a whole number of megabytes", () => {
    expect(() => gatewayNodeFlags({ GATEWAY_HEAP_MB: "lots" })).toThrow();
    expect(() => gatewayNodeFlags({ GATEWAY_HEAP_MB: "-1" })).toThrow();
  });
});

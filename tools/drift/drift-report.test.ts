import { describe, expect, it } from "vitest";
import { buildDriftReport, formatDriftReport } from "./drift-report.ts";

const appUrn = "urn:pulumi:production::zero2prod::zero2prod:index:DigitalOceanDeployment$digitalocean:index/app:App::zero2prod-production-app";
const clusterUrn = "urn:pulumi:production::zero2prod::digitalocean:index/databaseCluster:DatabaseCluster::zero2prod-production-database-cluster";

describe("buildDriftReport", () => {
  it("reports no drift when every resource is the same", () => {
    const report = buildDriftReport({ same: 9 }, [{ op: "refresh", urn: appUrn }, { op: "same", urn: clusterUrn }]);

    expect(report.drifted).toBe(false);
    expect(report.counts).toEqual([["same", 9]]);
    expect(report.resources).toEqual([]);
  });

  it("reports drift with the changed resources and properties", () => {
    const report = buildDriftReport({ same: 8, update: 1 }, [
      { op: "refresh", urn: clusterUrn },
      { op: "refresh", urn: appUrn, diffs: ["spec", "liveUrl"] },
    ]);

    expect(report.drifted).toBe(true);
    expect(report.counts).toEqual([["same", 8], ["update", 1]]);
    expect(report.resources).toEqual([{ op: "refresh", urn: appUrn, properties: ["liveUrl", "spec"] }]);
  });

  it("reports a resource deleted outside Pulumi", () => {
    const report = buildDriftReport({ same: 8, delete: 1 }, [{ op: "delete", urn: clusterUrn }]);

    expect(report.drifted).toBe(true);
    expect(report.resources).toEqual([{ op: "delete", urn: clusterUrn, properties: [] }]);
  });

  it("decides drift from the summary even without step events", () => {
    expect(buildDriftReport({ same: 3, update: 2 }, []).drifted).toBe(true);
  });

  it("ignores operations counted zero times", () => {
    const report = buildDriftReport({ same: 4, update: 0 }, []);

    expect(report.drifted).toBe(false);
    expect(report.counts).toEqual([["same", 4]]);
  });

  it("lists a resource once when several events name it", () => {
    const report = buildDriftReport({ update: 1 }, [
      { op: "update", urn: appUrn, diffs: ["spec"] },
      { op: "update", urn: appUrn, diffs: ["spec"] },
    ]);

    expect(report.resources).toHaveLength(1);
  });
});

describe("formatDriftReport", () => {
  it("says the cloud matches the state", () => {
    const text = formatDriftReport("production", buildDriftReport({ same: 9 }, []));

    expect(text).toBe("### No drift in `production`\n\nThe cloud matches the state: 9 same.\n");
  });

  it("lists the drifted resources and what to run", () => {
    const report = buildDriftReport({ same: 8, update: 1 }, [{ op: "update", urn: appUrn, diffs: ["spec"] }]);

    const text = formatDriftReport("production", report);

    expect(text).toContain("### Drift in `production`");
    expect(text).toContain("The cloud differs from the state: 8 same, 1 update.");
    expect(text).toContain("`pulumi refresh --stack production`");
    expect(text).toContain(`- update \`${appUrn}\`: \`spec\``);
  });
});

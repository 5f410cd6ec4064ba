import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { rootCertificates } from "node:tls";
import { describe, expect, it } from "vitest";
import { findContentProblems, findMetadataProblems } from "../scan-rules.ts";
import { secretMarkersOf } from "../secret-markers.ts";

// A self-signed certificate made for these tests, standing in for a TLS-intercepting proxy's CA.
const proxyCaFile = path.join(import.meta.dirname, "fixtures", "test-proxy-ca.pem");
const publicRoot = rootCertificates[0] ?? "";

async function readBundle(): Promise<Buffer> {
  const proxyCa = await readFile(proxyCaFile, "utf8");
  return Buffer.from(`${publicRoot}\n${proxyCa}`);
}

describe("secretMarkersOf", () => {
  it("keeps only certificates that Node.js does not ship", async () => {
    const markers = secretMarkersOf(await readBundle());

    expect(markers.certificates).toHaveLength(1);
    expect(markers.certificates[0]?.subject).toBe("zero2prod image benchmark test CA");
  });
});

describe("findContentProblems", () => {
  it("reports a verbatim copy of the bundle", async () => {
    const bundle = await readBundle();

    const problems = findContentProblems(Buffer.from(bundle), "base", secretMarkersOf(bundle));

    expect(problems).toContain("copy of the npm_ca build secret");
  });

  it("reports the proxy CA in PEM form inside another file", async () => {
    const bundle = await readBundle();
    const proxyCa = await readFile(proxyCaFile, "utf8");

    const problems = findContentProblems(Buffer.from(`# trusted\n${proxyCa}`), "base", secretMarkersOf(bundle));

    expect(problems).toEqual(['certificate from the npm_ca build secret: "zero2prod image benchmark test CA"']);
  });

  it("reports the proxy CA in DER form", async () => {
    const bundle = await readBundle();
    const der = new X509Certificate(await readFile(proxyCaFile)).raw;

    const problems = findContentProblems(der, "base", secretMarkersOf(bundle));

    expect(problems).toHaveLength(1);
  });

  it("accepts a public root certificate", async () => {
    const bundle = await readBundle();

    expect(findContentProblems(Buffer.from(publicRoot), "base", secretMarkersOf(bundle))).toEqual([]);
  });

  it("reports an npm token only in project layers", async () => {
    const markers = secretMarkersOf(await readBundle());
    const npmrc = Buffer.from("//registry.npmjs.org/:_authToken=npm_abc123\n");

    expect(findContentProblems(npmrc, "project", markers)).toEqual(["npm registry token (_authToken=...)"]);
    expect(findContentProblems(npmrc, "base", markers)).toEqual([]);
  });
});

describe("findMetadataProblems", () => {
  it("reports an environment variable pointing at a mounted secret", async () => {
    const config = JSON.stringify({ config: { Env: ["NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca"] } });

    const problems = findMetadataProblems(config, secretMarkersOf(await readBundle()));

    expect(problems).toHaveLength(2);
    expect(problems.some((problem) => problem.includes("/run/secrets"))).toBe(true);
    expect(problems.some((problem) => problem.includes("NODE_EXTRA_CA_CERTS"))).toBe(true);
  });

  it("accepts the history of a clean image", async () => {
    const config = JSON.stringify({ history: [{ created_by: "COPY /src/app/dist dist/ # buildkit" }], config: { User: "node" } });

    expect(findMetadataProblems(config, secretMarkersOf(await readBundle()))).toEqual([]);
  });
});

import { createHash, X509Certificate } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { rootCertificates } from "node:tls";

// Byte strings that show the npm_ca build secret leaked into an image.
export interface SecretMarkers {
  // SHA-256 (hex) and length of the whole bundle, to find verbatim copies.
  bundleSha256: string | undefined;
  bundleLength: number;
  // The bundle's certificates that are not public roots, such as the CA of a TLS-intercepting
  // proxy. Public roots are left out because images carry them for ordinary reasons (the node
  // binary embeds Mozilla's roots, and Debian images may hold the ca-certificates package).
  certificates: CertificateMarker[];
}

export interface CertificateMarker {
  // The subject's common name, or the whole subject when it has none.
  subject: string;
  // One 64-character line from the middle of the PEM body.
  pemLine: Buffer;
  // 48 bytes from the middle of the DER encoding, for copies in binary form.
  derSlice: Buffer;
}

const noMarkers: SecretMarkers = { bundleSha256: undefined, bundleLength: 0, certificates: [] };
const pemBlockPattern = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const derSliceLength = 48;

// The folder of the public roots that Debian's ca-certificates package installs. Roots that a
// machine adds itself go to /usr/local/share/ca-certificates instead.
const distributionCaFolder = "/usr/share/ca-certificates";

export async function readSecretMarkers(bundleFile: string | undefined): Promise<SecretMarkers> {
  if (bundleFile === undefined) {
    return noMarkers;
  }
  const bundle = await readFile(bundleFile);
  return secretMarkersOf(bundle, [...rootCertificates, ...(await readDistributionCertificates())]);
}

// `publicCertificates` are PEM texts of roots that are not secret.
export function secretMarkersOf(bundle: Buffer, publicCertificates: readonly string[] = rootCertificates): SecretMarkers {
  const publicBodies = new Set(publicCertificates.map(pemBody));
  const certificates: CertificateMarker[] = [];

  for (const [pem] of bundle.toString("latin1").matchAll(pemBlockPattern)) {
    if (publicBodies.has(pemBody(pem))) {
      continue;
    }
    certificates.push(certificateMarker(pem));
  }

  return {
    bundleSha256: createHash("sha256").update(bundle).digest("hex"),
    bundleLength: bundle.length,
    certificates,
  };
}

// The certificates in Debian's distribution folder, or none on a machine without it.
async function readDistributionCertificates(): Promise<string[]> {
  let files: string[];
  try {
    files = await readdir(distributionCaFolder, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return [];
    }
    throw error;
  }
  const certificates: string[] = [];
  for (const file of files.filter((name) => name.endsWith(".crt"))) {
    const text = await readFile(path.join(distributionCaFolder, file), "latin1");
    certificates.push(...Array.from(text.matchAll(pemBlockPattern), ([pem]) => pem));
  }
  return certificates;
}

function certificateMarker(pem: string): CertificateMarker {
  const certificate = new X509Certificate(pem);
  const lines = pem.split(/\r?\n/).filter((line) => line !== "" && !line.startsWith("-----"));
  // The first lines encode the version, serial number and issuer, which other certificates
  // from the same issuer share. The middle is inside the public key.
  const middleLine = lines[Math.floor(lines.length / 2)] ?? "";
  const der = certificate.raw;
  const sliceStart = Math.max(0, Math.floor((der.length - derSliceLength) / 2));
  return {
    subject: /(?:^|\n)CN=([^\n]+)/.exec(certificate.subject)?.[1] ?? certificate.subject.replaceAll("\n", ", "),
    pemLine: Buffer.from(middleLine, "latin1"),
    derSlice: der.subarray(sliceStart, sliceStart + derSliceLength),
  };
}

function pemBody(pem: string): string {
  return pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
}

import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

// One day is plenty for a test run. P-256 keys, unlike RSA keys, take no noticeable time to generate.
const validityDays = "1";
const keyOptions = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export interface CertificateAuthority {
  certificatePath: string;
  keyPath: string;
  // The certificate as PEM text, what App Platform binds to ${db.CA_CERT}.
  certificate: string;
}

export interface ServerCertificate {
  certificatePath: string;
  keyPath: string;
}

// Creates a self-signed CA in `folder` as <name>.crt and <name>.key.
export async function createCertificateAuthority(folder: string, name: string, commonName: string): Promise<CertificateAuthority> {
  const certificatePath = path.join(folder, `${name}.crt`);
  const keyPath = path.join(folder, `${name}.key`);
  await runOpenssl([
    "req",
    "-x509",
    ...keyOptions,
    "-keyout",
    keyPath,
    "-out",
    certificatePath,
    "-days",
    validityDays,
    "-subj",
    `/CN=${commonName}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  return { certificatePath, keyPath, certificate: await readFile(certificatePath, "utf8") };
}

// Issues a server certificate for `hostname`, signed by `authority`, in `folder` as
// <name>.crt and <name>.key. Clients that verify the host name match it against the DNS entry.
export async function issueServerCertificate(
  authority: CertificateAuthority,
  folder: string,
  name: string,
  hostname: string,
): Promise<ServerCertificate> {
  const certificatePath = path.join(folder, `${name}.crt`);
  const keyPath = path.join(folder, `${name}.key`);
  const requestPath = path.join(folder, `${name}.csr`);
  const extensionsPath = path.join(folder, `${name}.ext`);
  await writeFile(
    extensionsPath,
    [`subjectAltName=DNS:${hostname}`, "basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature", "extendedKeyUsage=serverAuth", ""].join("\n"),
  );

  await runOpenssl(["req", "-new", ...keyOptions, "-keyout", keyPath, "-out", requestPath, "-subj", `/CN=${hostname}`]);
  await runOpenssl([
    "x509",
    "-req",
    "-in",
    requestPath,
    "-CA",
    authority.certificatePath,
    "-CAkey",
    authority.keyPath,
    "-set_serial",
    `0x${Date.now().toString(16)}`,
    "-days",
    validityDays,
    "-extfile",
    extensionsPath,
    "-out",
    certificatePath,
  ]);
  return { certificatePath, keyPath };
}

async function runOpenssl(args: string[]): Promise<void> {
  try {
    await execFileAsync("openssl", args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`\`openssl ${args[0]}\` failed: ${(error as Error).message}\n${stderr}`.trimEnd());
  }
}

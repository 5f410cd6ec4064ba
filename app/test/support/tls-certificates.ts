import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestCertificates {
  // PEM of the certificate authority that signed the server certificate.
  caCertificate: string;
  serverCertificateFile: string;
  serverKeyFile: string;
}

// Creates a throw-away certificate authority and a server certificate that
// it signs for the host name "localhost" only (no IP address), so a client
// that connects to 127.0.0.1 must fail the host name check. Needs the
// openssl command.
export async function createTestCertificates(folder: string): Promise<TestCertificates> {
  const file = (name: string) => path.join(folder, name);
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

  await run("openssl", [
    "req", "-x509", ...ecKey, "-days", "2",
    "-subj", "/CN=Newsletter test CA",
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    "-keyout", file("ca.key"), "-out", file("ca.crt"),
  ]);
  await run("openssl", [
    "req", ...ecKey, "-subj", "/CN=localhost",
    "-keyout", file("server.key"), "-out", file("server.csr"),
  ]);
  await writeFile(file("server.ext"), "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  await run("openssl", [
    "x509", "-req", "-days", "2", "-in", file("server.csr"),
    "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-CAcreateserial",
    "-extfile", file("server.ext"), "-out", file("server.crt"),
  ]);

  return {
    caCertificate: await readFile(file("ca.crt"), "utf8"),
    serverCertificateFile: file("server.crt"),
    serverKeyFile: file("server.key"),
  };
}

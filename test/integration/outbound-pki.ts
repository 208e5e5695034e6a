/**
 * A throwaway PKI for the outbound mTLS tests, made with the `openssl` CLI in a temp dir: a CA,
 * a server certificate for 127.0.0.1 and one for the name receiver.test, a client certificate
 * from the same CA, a second one (identity switches), an expired one (valid in January 2020
 * only, via `openssl ca`), and a foreign client certificate from a rogue CA.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Pem {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TestPki {
  readonly dir: string;
  readonly ca: Pem;
  readonly server: Pem;
  /** Server certificate for DNS:receiver.test only (servername tests). */
  readonly serverNamed: Pem;
  readonly client: Pem;
  readonly expired: Pem;
  readonly client2: Pem;
  readonly rogue: Pem;
  /** An https server config for `startReceiver`: mTLS required, client certificates checked against the CA. */
  serverOptions(server?: Pem): { cert: string; key: string; ca: string; requestCert: true; rejectUnauthorized: true };
  remove(): void;
}

const CLIENT_EXT = "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n";

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "hb-outbound-mtls-"));
  const path = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  };
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const selfSignedCa = (name: string, subject: string): void => openssl("req", "-x509", ...ecKey, "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", subject);
  const issue = (ca: string, name: string, subject: string, ext: string): void => {
    openssl("req", "-new", ...ecKey, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject);
    writeFileSync(path(`${name}.ext`), ext);
    openssl("x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-out", `${name}.pem`, "-days", "2", "-extfile", `${name}.ext`);
  };
  selfSignedCa("ca", "/CN=hookbook outbound test CA");
  issue("ca", "server", "/CN=127.0.0.1", "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  issue("ca", "client", "/O=hookbook/CN=hookbook-client", CLIENT_EXT);
  issue("ca", "client2", "/O=hookbook/CN=hookbook-client-2", CLIENT_EXT);
  issue("ca", "server-named", "/CN=receiver.test", "basicConstraints=CA:FALSE\nsubjectAltName=DNS:receiver.test\nextendedKeyUsage=serverAuth\n");
  // Expired: `openssl req/x509` cannot back-date, `openssl ca` can.
  writeFileSync(path("index.txt"), "");
  writeFileSync(path("serial"), "1000\n");
  writeFileSync(
    path("ca.cnf"),
    "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = p\n[p]\ncommonName = supplied\norganizationName = optional\n",
  );
  openssl("req", "-new", ...ecKey, "-keyout", "expired.key", "-out", "expired.csr", "-subj", "/O=hookbook/CN=expired-client");
  openssl("ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-in", "expired.csr", "-out", "expired.pem", "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-notext");
  selfSignedCa("rogue-ca", "/CN=rogue CA");
  issue("rogue-ca", "rogue", "/O=hookbook/CN=hookbook-client", CLIENT_EXT);
  const pem = (name: string): Pem => ({
    cert: readFileSync(path(`${name}.pem`), "utf8"),
    key: readFileSync(path(`${name}.key`), "utf8"),
    certFile: path(`${name}.pem`),
    keyFile: path(`${name}.key`),
  });
  const ca = pem("ca");
  const server = pem("server");
  return {
    dir,
    ca,
    server,
    serverNamed: pem("server-named"),
    client: pem("client"),
    expired: pem("expired"),
    client2: pem("client2"),
    rogue: pem("rogue"),
    serverOptions: (s = server) => ({ cert: s.cert, key: s.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

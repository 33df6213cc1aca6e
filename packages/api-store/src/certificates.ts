// The serving certificate, as kube-apiserver gets one: --tls-cert-file/--tls-private-key-file when
// given, else a self-signed CA and a serving certificate it signs, kept in --cert-dir
// (k8s.io/apiserver/pkg/server/options/serving.go MaybeDefaultWithSelfSignedCerts). Unlike
// kube-apiserver, the CA's key is kept too, so a certificate missing a name is re-issued by the same
// CA and a kubeconfig's certificate-authority-data stays valid across restarts.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { webcrypto, X509Certificate as NodeX509Certificate } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const CA_CERT_FILE = 'ca.crt';
export const CA_KEY_FILE = 'ca.key';
export const SERVING_CERT_FILE = 'apiserver.crt';
export const SERVING_KEY_FILE = 'apiserver.key';

const DAY_MS = 24 * 60 * 60 * 1000;
/** certutil.GenerateSelfSignedCertKeyWithFixtures: the CA for 1 year… kubemu keeps it 10 so kubeconfigs last. */
const CA_VALIDITY_DAYS = 3650;
const SERVING_VALIDITY_DAYS = 365;
/** A serving certificate this close to its end is re-issued at start. */
const RENEW_BEFORE_DAYS = 30;

const KEY_ALGORITHM: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export interface ServingCertificate {
  /** PEM: the serving certificate, then the CA (as kube-apiserver's apiserver.crt holds both). */
  cert: string;
  key: string;
  /** PEM of the CA that signed it, when kubemu made it (absent for --tls-cert-file). */
  ca?: string;
  certFile: string;
  keyFile: string;
}

/**
 * The names kube-apiserver puts in its self-signed certificate (the kubernetes Service's DNS names,
 * its first IP, the advertise address) plus loopback.
 */
export function servingNames(advertiseAddresses: readonly string[], firstServiceIP: string): string[] {
  const names = [
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
    '127.0.0.1',
    firstServiceIP,
    ...advertiseAddresses,
  ];
  return [...new Set(names.filter((n) => n !== '' && n !== '0.0.0.0' && n !== '::'))];
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}

function derOf(pemText: string): Buffer {
  return Buffer.from(pemText.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', key));
}

function importPrivateKey(pemText: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', derOf(pemText), KEY_ALGORITHM, true, ['sign']) as Promise<CryptoKey>;
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f; // positive
  return Buffer.from(bytes).toString('hex');
}

async function createCA(now: Date): Promise<{ cert: string; key: string }> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=kubemu-ca@${Math.floor(now.getTime() / 1000)}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
    keys,
    signingAlgorithm: KEY_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: await privateKeyPem(keys.privateKey) };
}

async function issueServing(ca: { cert: string; key: string }, names: readonly string[], now: Date): Promise<{ cert: string; key: string }> {
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = await importPrivateKey(ca.key);
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=kubemu-apiserver@${Math.floor(now.getTime() / 1000)}`,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + SERVING_VALIDITY_DAYS * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: KEY_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
      new x509.SubjectAlternativeNameExtension(names.map((n) => ({ type: isIP(n) ? 'ip' : 'dns', value: n }) as x509.JsonGeneralName)),
    ],
  });
  return { cert: cert.toString('pem') + '\n' + ca.cert, key: await privateKeyPem(keys.privateKey) };
}

/** The existing serving certificate is signed by `caPem`, names every one of `names`, and is not about to expire. */
function stillGood(certPem: string, caPem: string, names: readonly string[], now: Date): boolean {
  try {
    const cert = new NodeX509Certificate(certPem);
    const ca = new NodeX509Certificate(caPem);
    if (!cert.verify(ca.publicKey)) return false;
    if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return false;
    return names.every((n) => (isIP(n) ? cert.checkIP(n) !== undefined : cert.checkHost(n) !== undefined));
  } catch {
    return false;
  }
}

/**
 * --cert-dir: ca.crt/ca.key (made once, kept), apiserver.crt/apiserver.key (made when missing,
 * signed by another CA, missing a name, or near its end).
 */
export async function loadOrCreateSelfSigned(certDir: string, names: readonly string[], now: Date = new Date()): Promise<ServingCertificate> {
  mkdirSync(certDir, { recursive: true, mode: 0o700 });
  const caCertFile = join(certDir, CA_CERT_FILE);
  const caKeyFile = join(certDir, CA_KEY_FILE);
  const certFile = join(certDir, SERVING_CERT_FILE);
  const keyFile = join(certDir, SERVING_KEY_FILE);
  let ca: { cert: string; key: string };
  if (existsSync(caCertFile) && existsSync(caKeyFile)) {
    ca = { cert: readFileSync(caCertFile, 'utf8'), key: readFileSync(caKeyFile, 'utf8') };
  } else {
    ca = await createCA(now);
    writeAtomic(caKeyFile, ca.key);
    writeAtomic(caCertFile, ca.cert);
  }
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    if (stillGood(cert, ca.cert, names, now)) return { cert, key: readFileSync(keyFile, 'utf8'), ca: ca.cert, certFile, keyFile };
  }
  const serving = await issueServing(ca, names, now);
  writeAtomic(keyFile, serving.key);
  writeAtomic(certFile, serving.cert);
  return { ...serving, ca: ca.cert, certFile, keyFile };
}

/** --tls-cert-file/--tls-private-key-file, read as given. */
export function loadServingFiles(certFile: string, keyFile: string): ServingCertificate {
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

import { generate } from 'selfsigned';

/**
 * A throwaway certificate for the local stand-ins. The openai package always
 * connects with wss:, so the realtime simulator must speak TLS; clients trust
 * this certificate by passing it as `ca` (or through NODE_EXTRA_CA_CERTS).
 */

export interface LocalCertificate {
  /** PEM private key. */
  readonly key: string;
  /** PEM certificate; also the CA to trust, as it signs itself. */
  readonly cert: string;
}

/** Long enough for a day of demos, short enough that a leaked one soon stops working. */
const VALIDITY_DAYS = 7;
const MS_PER_DAY = 86_400_000;

// SAN entry kinds (RFC 5280 GeneralName tags) as selfsigned numbers them.
const SAN_DNS = 2;
const SAN_IP = 7;

export async function createLocalCertificate(): Promise<LocalCertificate> {
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + VALIDITY_DAYS * MS_PER_DAY);
  // EC keys are generated in milliseconds; a 2048-bit RSA key takes far longer on every start.
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: SAN_DNS, value: 'localhost' },
          { type: SAN_IP, ip: '127.0.0.1' },
          { type: SAN_IP, ip: '::1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

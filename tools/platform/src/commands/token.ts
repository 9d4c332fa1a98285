import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { LOCAL_STAFF_TOKEN_ISSUER, readStaffSigningJwk, STAFF_TOKEN_ALGORITHM, STAFF_TOKEN_AUDIENCE, type PlatformConfig } from '@txn/infra-local';

const USAGE = `usage: ./platform token --role <role> [--role <role>…] [--merchant <id>] [--sub <subject>] [--ttl <seconds>]
  Prints a staff JWT for the local api-gateway, signed with the key \`./platform up api-gateway\`
  generated into the state folder's secrets (decision 0024). Use it as Authorization: Bearer <token>.
  roles: owner developer finance support auditor platform-admin
  --merchant  the merchant a merchant's staff user belongs to (not with platform-admin; a
              platform-admin acts for a merchant with the header Txn-Merchant: <id>)
  --sub       the staff user (default: local-staff)
  --ttl       lifetime in seconds, 60..3600 (default 900)`;

const ROLES = ['owner', 'developer', 'finance', 'support', 'auditor', 'platform-admin'] as const;
const MERCHANT = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const SUBJECT = /^[A-Za-z0-9._@:-]{1,128}$/;
export const MAX_TOKEN_TTL_S = 3_600;
const DEFAULT_TTL_S = 900;

export interface TokenRequest {
  readonly roles: readonly string[];
  readonly merchant?: string;
  readonly subject: string;
  readonly ttl_s: number;
}

/** The verb's arguments, or what is wrong with them (the gateway would refuse such a token anyway). */
export function parseTokenArgs(args: readonly string[]): TokenRequest | string {
  const roles: string[] = [];
  let merchant: string | undefined;
  let subject = 'local-staff';
  let ttl_s = DEFAULT_TTL_S;
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) return `${flag ?? ''} needs a value`;
    if (flag === '--role' && (ROLES as readonly string[]).includes(value)) roles.push(value);
    else if (flag === '--role') return `unknown role ${JSON.stringify(value)}`;
    else if (flag === '--merchant' && MERCHANT.test(value)) merchant = value;
    else if (flag === '--sub' && SUBJECT.test(value)) subject = value;
    else if (flag === '--ttl' && /^\d{1,5}$/.test(value) && Number(value) >= 60 && Number(value) <= MAX_TOKEN_TTL_S) ttl_s = Number(value);
    else return `bad argument ${flag ?? ''} ${JSON.stringify(value)}`;
  }
  if (roles.length === 0) return 'name at least one --role';
  if (roles.includes('platform-admin') && merchant !== undefined) return 'platform-admin is platform staff: no --merchant (send Txn-Merchant to act for one)';
  if (!roles.includes('platform-admin') && merchant === undefined) return 'a merchant staff role needs --merchant';
  return { roles: [...new Set(roles)], ...(merchant === undefined ? {} : { merchant }), subject, ttl_s };
}

/** Signs the token with the private JWK (EdDSA, the algorithm the gateway pins). */
export async function mintStaffToken(privateJwk: Record<string, string>, request: TokenRequest, now: Date): Promise<string> {
  const key = await importJWK(privateJwk, STAFF_TOKEN_ALGORITHM);
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ roles: [...request.roles], ...(request.merchant === undefined ? {} : { merchant: request.merchant }) })
    .setProtectedHeader({ alg: STAFF_TOKEN_ALGORITHM, kid: privateJwk.kid ?? '', typ: 'JWT' })
    .setIssuer(LOCAL_STAFF_TOKEN_ISSUER)
    .setAudience(STAFF_TOKEN_AUDIENCE)
    .setSubject(request.subject)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + request.ttl_s)
    .sign(key);
}

export async function runTokenCommand(args: readonly string[], config: Pick<PlatformConfig, 'stateDir'>): Promise<number> {
  const request = parseTokenArgs(args);
  if (typeof request === 'string') {
    process.stderr.write(`token: ${request}\n${USAGE}\n`);
    return 2;
  }
  let jwk: Record<string, string>;
  try {
    jwk = readStaffSigningJwk(config.stateDir);
  } catch (error) {
    process.stderr.write(`token: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`${await mintStaffToken(jwk, request, new Date())}\n`);
  return 0;
}

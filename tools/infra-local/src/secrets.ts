import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Generated local credentials live in `<stateDir>/secrets` (mode 0700, files 0600), never in the
 * repository. Services receive them through `*_FILE` settings that point at these files, the same
 * way mounted secrets work in containers.
 */
export function secretFile(stateDir: string, name: string): string {
  return join(stateDir, 'secrets', `${name}.secret`);
}

/** Reads the secret, creating a random one the first time. */
export function ensureSecret(stateDir: string, name: string): string {
  const path = secretFile(stateDir, name);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    chmodSync(dirname(path), 0o700);
    writeFileSync(path, randomBytes(24).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(path, 'utf8').trim();
}

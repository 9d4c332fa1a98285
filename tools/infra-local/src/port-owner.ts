import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

export interface PortOwner {
  readonly pid: number | undefined;
  readonly commandLine: string;
}

const TCP_LISTEN_STATE = '0A';

/** Socket inodes listening on `port` (IPv4 and IPv6), read from /proc/net/tcp{,6}. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const localAddress = fields[1] ?? '';
      const state = fields[3];
      const inode = fields[9];
      const portHex = localAddress.split(':').pop() ?? '';
      if (state === TCP_LISTEN_STATE && parseInt(portHex, 16) === port && inode !== undefined && inode !== '0') {
        inodes.add(inode);
      }
    }
  }
  return inodes;
}

export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 200);
  } catch {
    return '(process gone)';
  }
}

/** Which process listens on `port`? Undefined when nobody does (as far as /proc shows). */
export function findPortOwner(port: number): PortOwner | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match?.[1] !== undefined && inodes.has(match[1])) {
        const pid = Number(entry);
        return { pid, commandLine: commandLineOf(pid) };
      }
    }
  }
  return { pid: undefined, commandLine: '(a process this user cannot see)' };
}

/** True when nothing can be bound on 127.0.0.1:port, whoever holds it. */
export async function isPortInUse(port: number): Promise<boolean> {
  if (listeningInodes(port).size > 0) return true;
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(true));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolvePromise(false)));
  });
}

import type { ProbeResult } from './component';

/** GETs a URL with a short timeout; ready when the status is what the caller expects. */
export async function httpProbe(url: string, expectStatus: (status: number) => boolean, timeout_ms = 2_000): Promise<ProbeResult> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeout_ms) });
    await response.arrayBuffer();
    return expectStatus(response.status)
      ? { ready: true }
      : { ready: false, reason: `GET ${url} answered ${response.status}` };
  } catch (error) {
    return { ready: false, reason: `GET ${url} failed: ${(error as Error).message}` };
  }
}

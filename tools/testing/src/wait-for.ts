/**
 * Polls `check` until it returns a value other than undefined, or fails after `timeout_ms` with
 * `description` in the message. Tests wait for conditions, never for fixed sleeps.
 */
export async function waitFor<T>(description: string, check: () => Promise<T | undefined> | T | undefined, timeout_ms = 10_000, interval_ms = 50): Promise<T> {
  const deadline = Date.now() + timeout_ms;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, interval_ms));
  }
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeout_ms} ms waiting for ${description}${cause}`);
}

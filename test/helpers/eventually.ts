/**
 * Waits until `check` holds, polling, or fails after `timeoutMs` with `message`: for things that happen soon
 * after an event the test cannot await (a log line printed, a process gone, a record stored), without guessing a
 * fixed sleep. `check` may be async (one request per poll).
 */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${message()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What an action prints to its activation log (console.log) while `body` runs in this process. */
export async function loggedWhile<T>(body: () => Promise<T>): Promise<{ result: T; logged: string[] }> {
  const logged: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
  try {
    return { result: await body(), logged };
  } finally {
    console.log = log;
  }
}

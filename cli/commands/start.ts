import type { ParsedArgs } from '../usage';

export async function run(_args: ParsedArgs): Promise<number> {
  throw new Error('`findme start` is not built yet');
}

import type { ParsedArgs } from '../usage';

export async function run(_args: ParsedArgs): Promise<number> {
  throw new Error('`findme bench` is not built yet');
}

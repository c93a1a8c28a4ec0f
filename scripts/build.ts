/** `npm run build`: the command over build/build.ts. */
import { build } from '../build/build';

build().catch((error: unknown) => {
  console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

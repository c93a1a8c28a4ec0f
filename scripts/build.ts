/** `npm run build`: the command over build/build.ts; it always rebuilds (the test runner and `findme start` skip an up-to-date dist/). */
import { build } from '../build/build';

build({ force: true }).catch((error: unknown) => {
  console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

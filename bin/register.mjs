// What running the TypeScript sources directly needs (the CLI, the tests, the scripts): tsx, and `.lua` files
// imported as their text, as esbuild's text loader does in the bundles (scripts/build.ts).
import { register } from 'node:module';

register('./lua-text-hook.mjs', import.meta.url);
await import('tsx');

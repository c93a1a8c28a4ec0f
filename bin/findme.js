#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx findme` works right after `npm ci` with no build step.
import './register.mjs';

const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

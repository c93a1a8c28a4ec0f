/**
 * `sls <command>` for `npm run package|deploy|remove`, with every secret findme is configured with (the values
 * of config.ts's SECRET_VARIABLES in the environment, as they appear raw and inside JSON) replaced by *** in
 * what it prints: `sls package --verbose` prints each compiled action with its parameters, secrets included.
 * What is sent to OpenWhisk is unchanged.
 */
import { spawn } from 'node:child_process';
import { SECRET_VARIABLES } from '../actions/lib/config';
import { redactor } from '../build/redact';

const redact = redactor(SECRET_VARIABLES.map((name) => process.env[name]));
const child = spawn('sls', process.argv.slice(2), {
  stdio: ['inherit', 'pipe', 'pipe'],
  env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLS_DEPRECATION_DISABLE: 'CLI_OPTIONS_SCHEMA_V3' },
});
for (const [from, to] of [
  [child.stdout, process.stdout],
  [child.stderr, process.stderr],
] as const) {
  let pending = '';
  // Whole lines only: a secret split across two chunks would otherwise slip through.
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines) to.write(`${redact(line)}\n`);
  });
  from.on('end', () => {
    if (pending) to.write(redact(pending));
  });
}
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/**
 * `npm run deploy`'s first step: asks the controller which runtimes it has (GET /api/v1, OpenWhisk's info route:
 * `runtimes` by family, each with its `kind`) and refuses, before anything is built or created, when findme's
 * kinds are missing. Without it, `sls deploy` creates the package and compare_images, then fails on the first
 * nodejs:20 action and leaves a half deploy behind. Reads the target as serverless-openwhisk does (OW_APIHOST and
 * OW_AUTH, else WSK_CONFIG_FILE or ~/.wskprops).
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readServerlessYml } from '../local/manifest/serverless';

export const NEEDED_KIND = 'nodejs:20';
const TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 1024 * 1024;

export class PreflightError extends Error {
  override readonly name = 'PreflightError';
}

interface Target {
  apihost: string;
  auth: string | undefined;
}

function readTarget(env: NodeJS.ProcessEnv): Target {
  let props: Record<string, string> = {};
  try {
    const text = readFileSync(env.WSK_CONFIG_FILE || join(env.HOME || homedir(), '.wskprops'), 'utf8');
    props = Object.fromEntries(text.split('\n').map((line) => line.trim().split('=')).filter((kv) => kv.length >= 2).map(([k, ...v]) => [k!.toUpperCase(), v.join('=')]));
  } catch {
    // No props file: the environment must name the target.
  }
  const apihost = env.OW_APIHOST || props.APIHOST;
  if (!apihost) throw new PreflightError('no deploy target: set OW_APIHOST and OW_AUTH (or APIHOST and AUTH in ~/.wskprops)');
  return { apihost, auth: env.OW_AUTH || props.AUTH };
}

/** `https://host` unless the host names its scheme, as the openwhisk client reads OW_APIHOST. */
export function infoUrl(apihost: string): URL {
  return new URL('/api/v1', /^https?:\/\//.test(apihost) ? apihost : `https://${apihost}`);
}

function getJson(url: URL, auth: string | undefined, ignoreCerts: boolean): Promise<unknown> {
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: TIMEOUT_MS, rejectUnauthorized: !ignoreCerts, headers: { accept: 'application/json', ...(auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) req.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          reject(new Error('the answer is not JSON'));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Every `kind` in the info route's `runtimes` manifest; undefined when the answer has none. */
export function listedKinds(info: unknown): string[] | undefined {
  const runtimes = (info as { runtimes?: unknown } | null)?.runtimes;
  if (!runtimes || typeof runtimes !== 'object') return undefined;
  return Object.values(runtimes as Record<string, unknown>)
    .flatMap((family) => (Array.isArray(family) ? family : []))
    .map((entry) => (entry as { kind?: unknown }).kind)
    .filter((kind): kind is string => typeof kind === 'string');
}

/** The actions serverless.yml deploys as NEEDED_KIND, by their name in the package. */
export function kindActions(file = join(import.meta.dirname, '..', 'serverless.yml')): string[] {
  // The kinds do not depend on the variables (image, secrets), so none are given.
  return readServerlessYml(file, {})
    .actions.filter((a) => a.kind === NEEDED_KIND)
    .map((a) => a.name.replace(/^.*\//, ''))
    .sort();
}

/** The fix for a controller without nodejs:20, for the two ways people run OpenWhisk. */
export function missingKindFix(apihost: string, kinds: string[], actions = kindActions()): string {
  const named = actions.length > 1 ? `${actions.slice(0, -1).join(', ')} and ${actions.at(-1)!}` : actions.join('');
  return [
    `npm run deploy: the controller at ${apihost} has no ${NEEDED_KIND} runtime (it lists ${kinds.join(', ') || 'none'}). Nothing was created.`,
    `findme's ${named} are ${NEEDED_KIND} actions. Add the runtime to the controller's runtime manifest:`,
    `  openwhisk-deploy-kube: in helm/openwhisk/runtimes.json, under "runtimes" → "nodejs", add`,
    `    {"kind": "${NEEDED_KIND}", "default": true, "image": {"prefix": "openwhisk", "name": "action-nodejs-v20", "tag": "1.23.0"}, "deprecated": false, "attached": {"attachmentName": "codefile", "attachmentType": "text/plain"}}`,
    `    (and set "default": false on the entry that had it), then \`helm upgrade\` the release;`,
    `  OpenWhisk's ansible deploy: ansible/files/runtimes.json already has ${NEEDED_KIND}; redeploy the controller with it.`,
    `See README.md, "Preparing the cluster".`,
  ].join('\n');
}

/** Resolves when the target can run findme; otherwise a PreflightError whose message is the fix. */
export async function preflight(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { apihost, auth } = readTarget(env);
  const url = infoUrl(apihost);
  let info: unknown;
  try {
    info = await getJson(url, auth, (env.__OW_IGNORE_CERTS ?? '').toLowerCase() === 'true');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PreflightError(`npm run deploy: could not read the controller's runtime list at ${url.href} (${reason}). Nothing was created. Check OW_APIHOST; for a self-signed certificate set __OW_IGNORE_CERTS=true.`);
  }
  const kinds = listedKinds(info);
  if (kinds === undefined) throw new PreflightError(`npm run deploy: ${url.href} answered without a "runtimes" list: is OW_APIHOST an OpenWhisk controller? Nothing was created.`);
  if (!kinds.includes(NEEDED_KIND)) throw new PreflightError(missingKindFix(apihost, kinds));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  preflight().then(
    () => console.log(`npm run deploy: the controller lists ${NEEDED_KIND}`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}

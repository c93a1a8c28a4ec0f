/**
 * The Serverless Framework variables findme's serverless.yml uses: `${env:VAR}` and `${env:VAR, default}` (the
 * default quoted or bare, possibly empty). Anything else is an error naming where it stands, rather than a
 * literal `${…}` silently reaching an action.
 */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`serverless.yml ${path}: ${message}`);
  }
}

const VARIABLE = /\$\{([^{}]*)\}/g;
const ENV = /^\s*env:([A-Za-z_][A-Za-z0-9_]*)\s*(?:,\s*(?:'([^']*)'|"([^"]*)"|([^'",]*?)))?\s*$/;

function resolveString(text: string, path: string, env: NodeJS.ProcessEnv): unknown {
  const whole = /^\$\{[^{}]*\}$/.test(text);
  const resolved = text.replace(VARIABLE, (_, inner: string) => {
    const match = ENV.exec(inner);
    if (!match) throw new ManifestError(path, `unsupported variable \${${inner}}; only \${env:NAME} and \${env:NAME, default} are supported`);
    const [, name, single, double, bare] = match;
    const value = env[name!];
    if (value !== undefined) return value;
    const fallback = single ?? double ?? bare;
    if (fallback === undefined) throw new ManifestError(path, `environment variable ${name} is not set and has no default`);
    return fallback;
  });
  // A bare default such as `${env:FLAG, false}` keeps YAML's scalar type, as the framework does.
  if (whole && /^(true|false)$/.test(resolved) && !text.includes("'") && !text.includes('"')) return resolved === 'true';
  return resolved;
}

/** Resolves every variable in a parsed YAML value; `path` names the key in errors. */
export function resolveVariables(value: unknown, env: NodeJS.ProcessEnv, path = ''): unknown {
  if (typeof value === 'string') return value.includes('${') ? resolveString(value, path || '(root)', env) : value;
  if (Array.isArray(value)) return value.map((item, i) => resolveVariables(item, env, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveVariables(item, env, path ? `${path}.${key}` : key)]));
  }
  return value;
}

/**
 * The Serverless Framework variables the local platform resolves, with serverless@3's syntax: `${env:NAME}`, and
 * fallbacks after commas: another `env:NAME`, a quoted string ('…' or "…", possibly empty) or a literal (a
 * number, true, false). A bare word such as `${env:X, dev}` is refused, as `sls deploy` refuses it, so a file that
 * works here also deploys. Anything else (`${self:…}`, `${opt:…}`, nesting) is an error naming where it stands,
 * rather than a literal `${…}` silently reaching an action.
 */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(
    /** The key path in serverless.yml, e.g. `functions.compare_images.image`. */
    readonly path: string,
    readonly problem: string,
  ) {
    super(`serverless.yml ${path}: ${problem}`);
  }
}

type Source = { env: string } | { literal: string | number | boolean };

/** Where one `${…}` stands in a string and what it may resolve from, first source first. */
interface Variable {
  start: number;
  end: number;
  text: string;
  sources: Source[];
}

const ENV_SOURCE = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

function parseSource(raw: string, variable: string, path: string): Source {
  const text = raw.trim();
  const env = ENV_SOURCE.exec(text);
  if (env) return { env: env[1]! };
  if (/^'[^']*'$/.test(text)) return { literal: text.slice(1, -1) };
  if (/^"(?:[^"\\]|\\.)*"$/.test(text)) return { literal: JSON.parse(text) as string };
  if (text === 'true' || text === 'false') return { literal: text === 'true' };
  if (text !== '' && !Number.isNaN(Number(text))) return { literal: Number(text) };
  if (/^[a-z]+:/i.test(text) || text.startsWith('file(')) {
    throw new ManifestError(path, `unsupported variable ${variable}: the local platform resolves only \${env:NAME} and its defaults`);
  }
  if (text === '') throw new ManifestError(path, `${variable}: an empty default is not valid; write '' for an empty string, as serverless@3 requires`);
  throw new ManifestError(path, `${variable}: "${text}" is not a valid default; quote a string ('${text}'), as serverless@3 requires`);
}

/** Splits `a, 'b, c', d` at the commas outside quotes. */
function splitSources(inner: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let current = '';
  for (const char of inner) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === ',') {
      parts.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts;
}

function findVariables(text: string, path: string): Variable[] {
  const found: Variable[] = [];
  for (let start = text.indexOf('${'); start !== -1; ) {
    const end = text.indexOf('}', start);
    const nested = text.indexOf('${', start + 2);
    if (end === -1) throw new ManifestError(path, `unterminated variable in "${text}"`);
    if (nested !== -1 && nested < end) throw new ManifestError(path, `unsupported variable in "${text}": variables inside variables are not resolved locally`);
    const variable = text.slice(start, end + 1);
    const sources = splitSources(text.slice(start + 2, end)).map((s) => parseSource(s, variable, path));
    if (!('env' in sources[0]!)) throw new ManifestError(path, `unsupported variable ${variable}: the local platform resolves only \${env:NAME} and its defaults`);
    found.push({ start, end: end + 1, text: variable, sources });
    start = text.indexOf('${', end + 1);
  }
  return found;
}

function resolveVariable(variable: Variable, env: NodeJS.ProcessEnv, path: string): string | number | boolean {
  for (const source of variable.sources) {
    if ('literal' in source) return source.literal;
    const value = env[source.env];
    if (value !== undefined) return value;
  }
  const names = variable.sources.map((s) => ('env' in s ? s.env : '')).filter(Boolean);
  throw new ManifestError(path, `${variable.text}: environment variable ${names.join(' or ')} is not set and there is no default`);
}

function resolveString(text: string, path: string, env: NodeJS.ProcessEnv): unknown {
  const variables = findVariables(text, path);
  if (variables.length === 0) return text;
  // A value that is one whole variable keeps the type it resolves to (`${env:X, false}` is a boolean), as in
  // serverless@3; variables inside a longer string are stringified into it.
  if (variables.length === 1 && variables[0]!.start === 0 && variables[0]!.end === text.length) return resolveVariable(variables[0]!, env, path);
  let out = '';
  let at = 0;
  for (const variable of variables) {
    out += text.slice(at, variable.start) + String(resolveVariable(variable, env, path));
    at = variable.end;
  }
  return out + text.slice(at);
}

/** Resolves every variable in a parsed YAML value; `path` names the key in errors. */
export function resolveVariables(value: unknown, env: NodeJS.ProcessEnv, path = ''): unknown {
  if (typeof value === 'string') return resolveString(value, path || '(root)', env);
  if (Array.isArray(value)) return value.map((item, i) => resolveVariables(item, env, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveVariables(item, env, path ? `${path}.${key}` : key)]));
  }
  return value;
}

/**
 * What a rejected promise's reason becomes in `{error: …}`, as the nodejs runtime does it with the serialize-error
 * package: an Error keeps its own enumerable fields plus name, message, stack, and code/cause when set; plain
 * objects are copied without functions; circular references become "[Circular]"; primitives stay as they are.
 */
const MAX_DEPTH = 50;

function copy(value: unknown, seen: Set<object>, depth: number): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (seen.has(value)) return '[Circular]';
  if (depth > MAX_DEPTH) return '[Too deep]';
  if (Buffer.isBuffer(value)) return '[object Buffer]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => copy(item, seen, depth + 1) ?? null);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const copied = copy(item, seen, depth + 1);
      if (copied !== undefined) out[key] = copied;
    }
    if (value instanceof Error) {
      for (const key of ['name', 'message', 'stack', 'code', 'cause'] as const) {
        const field = (value as unknown as Record<string, unknown>)[key];
        if (field !== undefined && !(key in out)) out[key] = copy(field, seen, depth + 1);
      }
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

export function serializeError(reason: unknown): unknown {
  return copy(reason, new Set(), 0);
}

/**
 * The platform's refusals: each carries the HTTP status and the message OpenWhisk answers with (Messages.scala
 * and Pekko's defaults), so the core decides what went wrong and the controller writes it in one place.
 */
export class RequestError extends Error {
  override readonly name: string = 'RequestError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const MAX_PAYLOAD_BYTES = 1024 * 1024;

export const TEXT = Object.freeze({
  notFound: 'The requested resource does not exist.',
  unauthenticated: 'The resource requires authentication, which was not supplied with the request',
  badAuth: 'The supplied authentication is invalid',
  notAuthorizedTo: (path: string) => `The supplied authentication is not authorized to access '${path}'.`,
  parametersNotAllowed: 'Request defines parameters that are not allowed (e.g., reserved properties).',
  entityTooBig: (length: number) => `Request larger than allowed: ${length} > ${MAX_PAYLOAD_BYTES} bytes.`,
  bodyTimeout: (ms: number) => `The request's body did not arrive within ${ms} ms.`,
  malformedBody: (why: string) => `The request content was malformed:\n${why}`,
  malformedQuery: (name: string, why: string) => `The query parameter '${name}' was malformed:\n${why}`,
  methodNotAllowed: (allowed: string[]) => `HTTP method not allowed, supported methods: ${allowed.join(', ')}`,
  systemOverloaded: 'System is overloaded, try again later.',
  internal: 'The server encountered an internal error.',
  readOnly: 'The local platform takes its entities from serverless.yml: they cannot be changed through the API.',
});

export class NotFoundError extends RequestError {
  override readonly name = 'NotFoundError';
  constructor() {
    super(404, TEXT.notFound);
  }
}

/** A request tried to set a final parameter of the action, or a reserved `__ow_*` field of a web action. */
export class ParametersNotAllowedError extends RequestError {
  override readonly name = 'ParametersNotAllowedError';
  constructor(readonly keys: string[]) {
    super(400, TEXT.parametersNotAllowed);
  }
}

export class ThrottleError extends RequestError {
  override readonly name = 'ThrottleError';
  constructor(message: string) {
    super(429, message);
  }
}

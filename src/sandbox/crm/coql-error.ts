/** Errors of COQL parsing and planning, with Zoho's code and details. */
export class CoqlError extends Error {
  constructor(
    readonly code:
      'SYNTAX_ERROR' | 'INVALID_QUERY' | 'LIMIT_EXCEEDED' | 'DUPLICATE_DATA' | 'DUPLICATE_ALIAS',
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}

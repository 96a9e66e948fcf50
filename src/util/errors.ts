/**
 * Error classes with a stable `code`, so callers and tests match on codes rather than on wording.
 * Input errors carry the source position; the CLI prints them as `file:line:col: message` and exits 2.
 */

/**
 * Every stable code, documented one row each in docs/errors.md (meaning, exit status, gRPC status);
 * test/util/errors.test.ts checks the two agree and that no other code is used anywhere in src/.
 */
export const ERROR_CODES = [
  'E_YAML_SYNTAX',
  'E_YAML_DUPLICATE_KEY',
  'E_YAML_LIMIT',
  'E_YAML_UNSUPPORTED',
  'E_SCHEMA_TYPE',
  'E_SCHEMA_MISSING',
  'E_SCHEMA_UNKNOWN_KEY',
  'E_SCHEMA_RANGE',
  'E_SCHEMA_ENUM',
  'E_PREFIX_INVALID',
  'E_PREFIX_HOST_BITS',
  'E_PREFIX_LENGTH',
  'E_DUPLICATE_NAME',
  'E_UNKNOWN_REFERENCE',
  'E_FILE_READ',
  'E_FILE_WRITE',
  'E_USAGE',
  'E_BANDWIDTH_RANGE',
  'E_FRR_VERSION',
  'E_FRR_COMMAND',
  'E_FRR_PARSE',
  'E_FRR_DRAIN_PENDING',
  'E_AGENT_OWNERSHIP',
  'E_LAB',
  'E_LAB_EXISTS',
  'E_LAB_FIXTURE',
  'E_LAB_TIMEOUT',
  'E_LAB_INTERRUPTED',
  'E_LAB_FRR_MISSING',
  'E_LAB_FRR_ARCHIVE',
  'E_NOT_ROOT',
  'E_MISSING_TOOL',
  'E_SCHEMA_VALUE',
  'E_HEALTH_ADDRESS',
  'E_HEALTH_CONTROL',
  'E_API_LISTEN',
  'E_API_INSECURE',
  'E_API_TLS',
  'E_API_UNKNOWN_SERVER',
  'E_API_UNAVAILABLE',
  'E_API_READ_ONLY',
  'E_TIERS_UNSUPPORTED',
  'E_INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class BallastError extends Error {
  override readonly name: string = 'BallastError';
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** A mistake in a file the user gave us; always reported with its position. */
export class InputError extends BallastError {
  override readonly name = 'InputError';
  readonly position: SourcePosition;
  constructor(code: ErrorCode, position: SourcePosition, message: string) {
    super(code, message);
    this.position = position;
  }
  /** The one-line form users see: `file:line:col: message`. */
  format(): string {
    const { file, line, col } = this.position;
    return `${file}:${line}:${col}: ${this.message}`;
  }
}

/** Several input errors found in one pass, so a user fixes a file in one round trip. */
export class InputErrors extends BallastError {
  override readonly name = 'InputErrors';
  readonly errors: readonly InputError[];
  constructor(errors: readonly InputError[]) {
    super(errors[0]?.code ?? 'E_SCHEMA_TYPE', errors.map((e) => e.format()).join('\n'));
    this.errors = errors;
  }
}

/** Quote a user value the way messages show it: strings in double quotes, everything else as JSON. */
export function quote(value: unknown): string {
  if (typeof value === 'string') {
    // A 100,000-character value echoed whole buries the message; its start and length say enough.
    return value.length > 80 ? `${JSON.stringify(value.slice(0, 60))}... (${value.length} characters)` : JSON.stringify(value);
  }
  if (value === undefined) return 'nothing';
  // JSON has no NaN or Infinity and would print them as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}

/**
 * Errors a user can cause (bad flags, files, configs) or meet (an unreachable stub). The CLI
 * prints these as one line and exits with `exitCode`; anything else is a bug and keeps its
 * stack trace.
 */
export type UserErrorCode =
  | 'USAGE' // bad command-line flags
  | 'CONFIG_INVALID' // a profile, prototype table or rule file that does not parse
  | 'FILE_NOT_FOUND'
  | 'PROFILE_UNKNOWN'
  | 'SYMBOL_MISSING'
  | 'STUB_UNREACHABLE'
  | 'STUB_LOST' // the stub went away mid-trace
  | 'GUEST_UNSUPPORTED'; // the guest is not what the profile expects

export class UserError extends Error {
  readonly code: UserErrorCode;
  readonly exitCode: number;
  constructor(code: UserErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.code = code;
    this.exitCode = options?.exitCode ?? 2;
  }
}

/** `file:line[:column]: message` as compilers print it. */
export function at(file: string, line?: number, column?: number): string {
  return line === undefined ? file : column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
}

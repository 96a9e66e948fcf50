/** Reading the files the user names (fixtures, configs, state): one error shape for all of them. */
import { readFileSync } from 'node:fs';
import { BallastError, quote } from './errors.js';

/**
 * The file's text, or E_FILE_READ naming what it was for and the errno (`ENOENT`, `EACCES`...).
 * `missing`, when given, is returned instead of failing for a file that does not exist.
 */
export function readTextFile(file: string, what: string): string;
export function readTextFile<T>(file: string, what: string, missing: T): string | T;
export function readTextFile<T>(file: string, what: string, ...missing: [T?]): string | T {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && missing.length > 0) return missing[0] as T;
    throw new BallastError('E_FILE_READ', `Cannot read ${what} ${quote(file)}: ${code ?? String(err)}`);
  }
}

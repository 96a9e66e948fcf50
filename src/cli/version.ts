/**
 * What `ballast --version` prints. VERSION must equal package.json's version (a test checks it; the
 * Debian packages take theirs from package.json), TESTED_FRR lists the FRR releases the lab tests run.
 */
export const VERSION = '0.1.0';
export const TESTED_FRR = ['8.4.4', '10.3'] as const;

export function versionText(): string {
  return `ballast ${VERSION}\ntested with FRR ${TESTED_FRR.join(', ')}\nnode ${process.versions.node}`;
}

/** Paths the infrastructure code resolves against the repository, wherever the CDK CLI runs from. */
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function repoPath(path: string): string {
  return isAbsolute(path) ? path : resolve(REPO_ROOT, path);
}

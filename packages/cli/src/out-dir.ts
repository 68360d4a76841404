import { constants as fsConstants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { GovscanError } from '@govscan/core';

/**
 * mkdir -p, one level at a time: node's own recursive mkdir never returns for
 * some paths (under /proc, for one), and a scan must not hang on its output folder.
 */
async function ensureDir(dir: string, depth = 0): Promise<void> {
  try {
    await mkdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
      return;
    }
    const parent = path.dirname(dir);
    if (code !== 'ENOENT' || parent === dir || depth > 64) throw err;
    await ensureDir(parent, depth + 1);
    await mkdir(dir);
  }
}

/** Create the output folder if needed and check it is writable: exit 2 before any traffic otherwise. */
export async function prepareOutDir(dir: string): Promise<void> {
  try {
    await ensureDir(path.resolve(dir));
    await access(dir, fsConstants.W_OK);
  } catch (err) {
    throw new GovscanError('E_OUT_DIR', `--out: cannot write to ${dir} (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`, { exitCode: 2 });
  }
}

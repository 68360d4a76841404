/**
 * The case bundle on disk: a folder `CASE-<id>/` whose every file name is made
 * by govscan. Nothing taken from a page or a URL becomes a path without
 * `safeName`, and every write is resolved and checked to stay inside the
 * bundle. Every file written is hashed at write time.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GovscanError } from '@govscan/core';

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * A file-name component from arbitrary text: lower-case ASCII letters, digits,
 * `.`, `_` and `-` only, no leading dot, at most 80 characters; never empty,
 * never `.` or `..`.
 */
export function safeName(text: string, fallback = 'file'): string {
  const s = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[._-]+/, '')
    .replace(/[._-]+$/, '')
    .slice(0, 80);
  return s && s !== '.' && s !== '..' ? s : fallback;
}

export class BundleEscapeError extends GovscanError {
  constructor(rel: string) {
    super('E_BUNDLE_PATH', `refused to write outside the case bundle: ${JSON.stringify(rel)}`, { exitCode: 3 });
  }
}

/** A relative path inside the bundle: POSIX separators, each component checked. */
export function checkRelative(rel: string): string {
  if (typeof rel !== 'string' || rel.length === 0 || rel.length > 300) throw new BundleEscapeError(String(rel));
  if (rel.includes('\0') || rel.includes('\\') || rel.startsWith('/')) throw new BundleEscapeError(rel);
  const parts = rel.split('/');
  for (const p of parts) if (!/^[a-z0-9][a-z0-9._-]*$/i.test(p) || p === '.' || p === '..') throw new BundleEscapeError(rel);
  return parts.join('/');
}

export interface WrittenFile {
  /** Path relative to the bundle, POSIX separators. */
  path: string;
  sha256: string;
  bytes: number;
  /** UTC ISO time of the write. */
  at: string;
}

export class Bundle {
  readonly root: string;
  private readonly now: () => Date;
  constructor(root: string, now: () => Date = () => new Date()) {
    this.root = path.resolve(root);
    this.now = now;
  }

  /** Absolute path of a bundle file; throws when it would leave the bundle. */
  resolve(rel: string): string {
    const clean = checkRelative(rel);
    const abs = path.resolve(this.root, clean);
    const back = path.relative(this.root, abs);
    if (back === '' || back.startsWith('..') || path.isAbsolute(back)) throw new BundleEscapeError(rel);
    return abs;
  }

  /** Create the bundle folder; it must not exist yet. */
  async create(): Promise<void> {
    await mkdir(path.dirname(this.root), { recursive: true });
    try {
      await mkdir(this.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new GovscanError('E_CASE_EXISTS', `${this.root} already exists`, { exitCode: 2 });
      throw err;
    }
  }

  /** Ensure no component of the parent chain inside the bundle is a symbolic link. */
  private async checkParents(abs: string): Promise<void> {
    let dir = path.dirname(abs);
    const chain: string[] = [];
    while (dir !== this.root && dir.startsWith(this.root + path.sep)) {
      chain.unshift(dir);
      dir = path.dirname(dir);
    }
    for (const d of chain) {
      try {
        const st = await lstat(d);
        if (st.isSymbolicLink() || !st.isDirectory()) throw new BundleEscapeError(path.relative(this.root, d));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') await mkdir(d);
        else throw err;
      }
    }
  }

  /** Write a new file (never overwrites: evidence once written is not replaced). */
  async write(rel: string, data: Uint8Array | string): Promise<WrittenFile> {
    const abs = this.resolve(rel);
    await this.checkParents(abs);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const fh = await open(abs, 'wx', 0o644);
    try {
      await fh.writeFile(bytes);
    } finally {
      await fh.close();
    }
    return { path: checkRelative(rel), sha256: sha256Hex(bytes), bytes: bytes.length, at: this.now().toISOString() };
  }

  /** Replace a govscan-owned index file (case.json, the manifest) atomically. */
  async replace(rel: string, data: Uint8Array | string): Promise<WrittenFile> {
    const abs = this.resolve(rel);
    await this.checkParents(abs);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const tmp = `${abs}.tmp-${process.pid}`;
    await writeFile(tmp, bytes, { mode: 0o644 });
    await rename(tmp, abs);
    return { path: checkRelative(rel), sha256: sha256Hex(bytes), bytes: bytes.length, at: this.now().toISOString() };
  }

  async read(rel: string): Promise<Buffer> {
    return readFile(this.resolve(rel));
  }

  async exists(rel: string): Promise<boolean> {
    try {
      await lstat(this.resolve(rel));
      return true;
    } catch {
      return false;
    }
  }

  /** Every regular file in the bundle, relative, sorted (byte order). Symbolic links are reported separately. */
  async list(): Promise<{ files: string[]; others: string[] }> {
    const files: string[] = [];
    const others: string[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true });
      for (const e of entries) {
        const rel = prefix ? `${prefix}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(path.join(dir, e.name), rel);
        else if (e.isFile()) files.push(rel);
        else others.push(rel);
      }
    };
    await walk(this.root, '');
    const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    return { files: files.sort(cmp), others: others.sort(cmp) };
  }
}

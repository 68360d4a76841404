/**
 * The chain of custody: `custody.jsonl`, append-only, one JSON object a line:
 *
 *   {"seq":1,"at":"2026-…Z","actor":"…","action":"capture","tool":{"name":"govscan","version":"…"},
 *    "object":"http/capture.warc.gz","sha256":"…","prev":"000…000"}
 *
 * `prev` is the SHA-256 of the previous line's bytes (without its newline);
 * the first line's is 64 zeros. Changing, removing or reordering any line
 * breaks every link after it.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { sha256Hex } from './bundle.js';

export const CUSTODY_FILE = 'custody.jsonl';
export const GENESIS = '0'.repeat(64);

export type CustodyAction =
  | 'open'
  | 'capture'
  | 'not-captured'
  | 'refused'
  | 'derive'
  | 'report'
  | 'seal'
  | 'timestamp'
  | 'recheck'
  | 'archive';

export interface CustodyEntry {
  seq: number;
  at: string;
  actor: string;
  action: CustodyAction;
  tool: { name: string; version: string };
  /** What the line is about: a bundle path, a URL, or a short description. */
  object: string;
  /** SHA-256 of the object's bytes, or null when the object is not a file (a refusal, an absence). */
  sha256: string | null;
  prev: string;
}

/** Serialise an entry with the fixed key order. */
export function custodyLine(e: CustodyEntry): string {
  return JSON.stringify({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, tool: { name: e.tool.name, version: e.tool.version }, object: e.object, sha256: e.sha256, prev: e.prev });
}

export class Custody {
  private seq = 0;
  private prev = GENESIS;
  constructor(
    private readonly file: string,
    private readonly actor: string,
    private readonly tool: { name: string; version: string },
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Continue an existing file (recheck): the chain must verify first. */
  static async resume(file: string, actor: string, tool: { name: string; version: string }, now?: () => Date): Promise<Custody> {
    const text = await readFile(file, 'utf8');
    const result = verifyCustodyText(text);
    if (!result.ok) throw new Error(`custody chain broken at line ${result.line}: ${result.reason}`);
    const c = new Custody(file, actor, tool, now);
    c.seq = result.entries.length;
    c.prev = result.lastLineHash;
    return c;
  }

  async append(action: CustodyAction, object: string, sha256: string | null): Promise<CustodyEntry> {
    const entry: CustodyEntry = { seq: this.seq + 1, at: this.now().toISOString(), actor: this.actor, action, tool: this.tool, object, sha256, prev: this.prev };
    const line = custodyLine(entry);
    await appendFile(this.file, `${line}\n`, { encoding: 'utf8', mode: 0o644 });
    this.seq = entry.seq;
    this.prev = sha256Hex(line);
    return entry;
  }
}

export type CustodyVerification =
  | { ok: true; entries: CustodyEntry[]; lastLineHash: string }
  | { ok: false; line: number; reason: string; entries: CustodyEntry[] };

const HEX64 = /^[0-9a-f]{64}$/;
const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** Check every line of a custody file; on failure, the 1-based number of the first bad line. */
export function verifyCustodyText(text: string): CustodyVerification {
  const entries: CustodyEntry[] = [];
  if (text.length === 0) return { ok: false, line: 1, reason: 'the custody file is empty', entries };
  if (!text.endsWith('\n')) return { ok: false, line: text.split('\n').length, reason: 'the last line is incomplete (no newline)', entries };
  const lines = text.slice(0, -1).split('\n');
  let prev = GENESIS;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const n = i + 1;
    let e: CustodyEntry;
    try {
      e = JSON.parse(line) as CustodyEntry;
    } catch {
      return { ok: false, line: n, reason: 'not JSON', entries };
    }
    if (typeof e !== 'object' || e === null) return { ok: false, line: n, reason: 'not an object', entries };
    if (custodyLine(e) !== line) return { ok: false, line: n, reason: 'not in the canonical form (fields added, removed or reordered)', entries };
    if (e.seq !== n) return { ok: false, line: n, reason: `seq is ${e.seq}, expected ${n}`, entries };
    if (typeof e.at !== 'string' || !UTC_ISO.test(e.at) || Number.isNaN(Date.parse(e.at))) return { ok: false, line: n, reason: 'at is not a UTC ISO time', entries };
    if (e.sha256 !== null && !(typeof e.sha256 === 'string' && HEX64.test(e.sha256))) return { ok: false, line: n, reason: 'sha256 is not 64 hex digits', entries };
    if (e.prev !== prev) return { ok: false, line: n, reason: `prev does not match the SHA-256 of line ${n - 1 || 'genesis'}`, entries };
    if (i > 0 && Date.parse(e.at) < Date.parse(entries[i - 1]!.at)) return { ok: false, line: n, reason: 'time goes backwards', entries };
    entries.push(e);
    prev = sha256Hex(line);
  }
  return { ok: true, entries, lastLineHash: prev };
}

/**
 * The demo scan's judged model, pinned: what every site is found to have (its
 * state, its 突出问题, each finding's rule, target, locator and id, and every
 * verdict) is compared with a recorded run on a fixed clock. A change to how
 * govscan fetches, schedules or is laid out must leave it as it was; a change
 * meant to alter it re-records it with GOVSCAN_RECORD_GOLDEN=1 and says why.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadRegistry, type Registry } from '@govscan/core';
import { startWorld, type World } from '@govscan/testbed';
import { demoRegistryPath, demoWorld, scanCommand } from 'govscan';
import { repoRoot, sink, tempDir } from '../helpers/cli.js';

const GOLDEN = path.join(repoRoot, 'test/fixtures/demo-judged.json');
// today at noon UTC: the world's pages are dated from it, the certificates are valid around it
const day = new Date();
const NOW = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 12));
let world: World;
let registry: Registry;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  registry = await loadRegistry(demoRegistryPath);
  world = await startWorld(demoWorld(registry, NOW, { fixed: false }).scenario);
}, 30_000);
afterAll(async () => {
  await world?.stop();
  await cleanup?.();
});

interface Doc {
  sites: { code: string; state: string; problems: string; problemRules: string[] }[];
  findings: { id: string; ruleId: string; severity: string; site: { code: string }; target: string; locator: string }[];
  verdicts: { site: string; ruleId: string; state: string }[];
}

it('the demo scan judges every site as the recorded run did (fixed clock)', async () => {
  const out = path.join(dir, 'out');
  const r = await scanCommand({ registry: demoRegistryPath, resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, allowPrivateTargets: true, concurrency: 16, timeoutMs: 15_000, out, logLevel: 'silent', summary: false, stdout: sink(), formats: ['json'], now: () => NOW }, registry);
  expect(r.exitCode).not.toBe(2);
  const doc = JSON.parse(await readFile(path.join(out, 'findings.json'), 'utf8')) as Doc;
  const judged = {
    sites: doc.sites.map((s) => ({ code: s.code, state: s.state, problems: s.problems, problemRules: s.problemRules })),
    findings: doc.findings.map((f) => [f.site.code, f.ruleId, f.severity, f.target, f.locator, f.id].join(' ')).sort(),
    verdicts: doc.verdicts.map((v) => `${v.site} ${v.ruleId} ${v.state}`).sort(),
  };
  if (process.env.GOVSCAN_RECORD_GOLDEN) await writeFile(GOLDEN, `${JSON.stringify(judged, null, 1)}\n`);
  const golden = JSON.parse(await readFile(GOLDEN, 'utf8')) as typeof judged;
  expect(judged.sites).toEqual(golden.sites);
  expect(judged.findings).toEqual(golden.findings);
  expect(judged.verdicts).toEqual(golden.verdicts);
}, 120_000);

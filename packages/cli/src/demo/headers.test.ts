import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRulesDir, judge, loadRegistry, parseRuleFile, silentLogger, type Finding, type InputProblem, type NetClient, type Registry, type Rule } from '@govscan/core';
import { createNetClient } from '@govscan/net';
import { headers } from '@govscan/scanner-headers';
import { startWorld, type World } from '@govscan/testbed';
import { demoRegistryPath, demoScenario, plantedProblems, type PlantedProblem } from '../demo-world.js';
import { plantHeaders } from './headers.js';
import { plantNaming } from './naming.js';
import { plantTls } from './tls.js';

let registry: Registry;
let world: World;
let net: NetClient;
let rules: Rule[];
let planted: PlantedProblem[];

beforeAll(async () => {
  registry = await loadRegistry(demoRegistryPath);
  const scenario = demoScenario(registry);
  planted = plantHeaders(scenario, registry);
  world = await startWorld(scenario);
  net = createNetClient({ resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, registeredHosts: registry.sites.flatMap((s) => s.urls.map((u) => new URL(u).hostname)) });
  const problems: InputProblem[] = [];
  const file = path.join(defaultRulesDir, 'headers.yaml');
  rules = parseRuleFile(await readFile(file, 'utf8'), file, problems, { scanners: { headers } });
  expect(problems).toEqual([]);
});
afterAll(async () => {
  await net?.close();
  await world?.stop();
});

async function findings(code: string): Promise<Finding[]> {
  const site = registry.sites.find((s) => s.code === code)!;
  const out = await headers.scan(site, { net, registry, timeoutMs: 5000, signal: new AbortController().signal, log: silentLogger, now: () => new Date() });
  return judge(rules, out.observations);
}

describe('demo: header plants', () => {
  it('plants on sites no other plant uses', () => {
    const others = demoScenario(registry);
    const used = new Set([...plantedProblems, ...plantTls(others, registry), ...plantNaming(others, registry)].map((p) => p.code));
    const mine = [...new Set(planted.map((p) => p.code))];
    expect(mine).toHaveLength(9);
    expect(mine.filter((c) => used.has(c))).toEqual([]);
  });

  it('every planted problem is found, and only it (http.grade aside)', async () => {
    for (const code of new Set(planted.map((p) => p.code))) {
      const fired = (await findings(code)).map((f) => f.ruleId).filter((r) => r !== 'http.grade').sort();
      expect(fired, code).toEqual(planted.filter((p) => p.code === code).map((p) => p.ruleId).sort());
    }
  });

  it('healthy sites stay healthy: the city portal (A+) and an http-only department site', async () => {
    const portal = await findings('5118000022');
    expect(portal.map((f) => [f.ruleId, f.severity])).toEqual([['http.grade', 'info']]);
    expect(portal[0]!.evidence.join('\n')).toMatch(/grade: A\+/);
    const department = await findings('5118000013');
    expect(department.filter((f) => f.severity !== 'info')).toEqual([]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ContingencyPlan, RuleDefinition } from '@basin/schemas';
import { TwinErrors } from '../errors.js';

/** The rule and plan files shipped with twin-engine (examples for the flood and spill scenarios). */
export const DEFAULT_RULES_DIR = new URL('../../config/rules/', import.meta.url).pathname;
export const DEFAULT_PLANS_DIR = new URL('../../config/plans/', import.meta.url).pathname;

/** Parses every .yaml/.yml/.json file of a directory with `schema`; errors name the file and the field. */
export function loadDefinitions<S extends z.ZodType>(dir: string, schema: S, what: string): Array<z.infer<S>> {
  const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  const out: Array<z.infer<S>> = [];
  const problems: { file: string; field: string; message: string }[] = [];
  for (const f of files) {
    const file = path.join(dir, f);
    let doc: unknown;
    try {
      const text = readFileSync(file, 'utf8');
      doc = f.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    } catch (e) {
      problems.push({ file: f, field: '', message: `not valid ${f.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}` });
      continue;
    }
    const r = schema.safeParse(doc);
    if (r.success) out.push(r.data);
    else for (const i of r.error.issues) problems.push({ file: f, field: i.path.join('.'), message: i.message });
  }
  if (problems.length) throw TwinErrors.DEFINITION_INVALID(what, problems);
  return out;
}

export const loadRuleFiles = (dir = DEFAULT_RULES_DIR) => loadDefinitions(dir, RuleDefinition, 'rule file');
export const loadPlanFiles = (dir = DEFAULT_PLANS_DIR) => loadDefinitions(dir, ContingencyPlan, 'plan file');

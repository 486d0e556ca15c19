// ESLint rule: enforce the dependency direction between workspaces (see README "Architecture").
//   schemas      -> zod only
//   platform     -> schemas + Node + its own dependencies
//   services     -> schemas + platform + Node + their own dependencies; never another service
//   viewer       -> schemas + browser libraries (no Node built-ins, no platform, no services)
import path from 'node:path';
import { builtinModules } from 'node:module';

const SERVICES = ['sensors-sim', 'ingest', 'twin-engine'];
const WORKSPACES = ['schemas', 'platform', ...SERVICES, 'viewer'];
/** Declared public entry points besides the package roots. */
const PUBLIC_SUBPATHS = new Set(['@basin/platform/testing']);
const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

function packageName(spec) {
  if (spec.startsWith('@')) return spec.split('/').slice(0, 2).join('/');
  return spec.split('/')[0];
}

function check(workspace, spec, isTestOrTooling) {
  const name = packageName(spec);
  const basinTarget = name.startsWith('@basin/') ? name.slice('@basin/'.length) : null;
  // Tests and build configs may use test tooling and Node, but still no other service's code.
  if (isTestOrTooling) {
    if (basinTarget && SERVICES.includes(basinTarget) && basinTarget !== workspace) return `${workspace} tests must not import another service ("${spec}")`;
    return null;
  }
  if (workspace === 'schemas') {
    return name === 'zod' ? null : `schemas may import only zod (found "${spec}")`;
  }
  if (basinTarget && spec !== name && !PUBLIC_SUBPATHS.has(spec)) return `import "${name}" through its entry point, not "${spec}" (no internals)`;
  if (workspace === 'viewer') {
    if (NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(name)) return `viewer runs in the browser: no Node built-in "${spec}"`;
    if (basinTarget && basinTarget !== 'schemas') return `viewer may import only @basin/schemas among workspaces (found "${spec}")`;
    return null;
  }
  if (workspace === 'platform') {
    return basinTarget && basinTarget !== 'schemas' ? `platform may import only @basin/schemas among workspaces (found "${spec}")` : null;
  }
  if (SERVICES.includes(workspace) && basinTarget && !['schemas', 'platform'].includes(basinTarget)) {
    return `${workspace} must not import another service ("${spec}"); share through @basin/schemas`;
  }
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
export const dependencyDirection = {
  meta: { type: 'problem', docs: { description: 'enforce the dependency direction between workspaces' }, schema: [] },
  create(context) {
    const file = path.resolve(context.filename);
    const root = path.resolve(context.cwd);
    const rel = path.relative(root, file).split(path.sep);
    const workspace = WORKSPACES.includes(rel[0]) ? rel[0] : null;
    if (!workspace) return {};
    const wsRoot = path.join(root, workspace);
    const isTestOrTooling = rel[1] !== 'src' || /\.test\.ts$/.test(file);
    function visit(node) {
      const src = node.source;
      if (!src || src.type !== 'Literal' || typeof src.value !== 'string') return;
      const spec = src.value;
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        if (!target.startsWith(wsRoot + path.sep)) {
          context.report({ node: src, message: `relative import "${spec}" leaves the ${workspace} workspace; import the package instead` });
        }
        return;
      }
      const problem = check(workspace, spec, isTestOrTooling);
      if (problem) context.report({ node: src, message: problem });
    }
    return {
      ImportDeclaration: visit,
      ExportAllDeclaration: visit,
      ExportNamedDeclaration: visit,
      ImportExpression: visit,
    };
  },
};

export default { rules: { 'dependency-direction': dependencyDirection } };

import type { ESLint, Rule } from 'eslint';

export declare const dependencyDirection: Rule.RuleModule;
declare const plugin: ESLint.Plugin & { rules: { 'dependency-direction': Rule.RuleModule } };
export default plugin;

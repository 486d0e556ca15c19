// The composition root's only view of the environment (each service parses its own part).
import type { Env } from '@basin/platform';

export const processEnv = (): Env => process.env;
export const processArgs = (): string[] => process.argv.slice(2);

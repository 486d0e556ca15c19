import path from 'node:path';
import { z } from 'zod';
import { databaseEnv, databaseSettings, logLevel, parseEnv, port, posInt, type Env } from '@basin/platform';

/** Twin-engine configuration: the only place that reads the environment. */
export const TwinEnv = z.object({
  ...databaseEnv,
  LOG_LEVEL: logLevel,
  HTTP_HOST: z.string().default('0.0.0.0').describe('HTTP bind address'),
  HTTP_PORT: port(8080).describe('HTTP port of the API and viewer'),
  VIEWER_DIR: z.string().default('viewer/dist').describe('directory of the built viewer, served at /'),
  HTTP_BODY_LIMIT: posInt(1_048_576).describe('largest accepted request body, bytes'),
  API_MAX_ROWS: posInt(50_000).describe('most rows one time-series query returns'),
});
export type TwinEnv = z.infer<typeof TwinEnv>;

export interface TwinConfig {
  env: TwinEnv;
  database: ReturnType<typeof databaseSettings>;
  http: { host: string; port: number; bodyLimit: number };
  viewerDir: string;
  maxRows: number;
}

export function loadConfig(env: Env): TwinConfig {
  const e = parseEnv(TwinEnv, env);
  return {
    env: e,
    database: databaseSettings(e),
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT, bodyLimit: e.HTTP_BODY_LIMIT },
    viewerDir: path.resolve(e.VIEWER_DIR),
    maxRows: e.API_MAX_ROWS,
  };
}

export const processEnv = (): Env => process.env;
export const processArgs = (): string[] => process.argv.slice(2);

import { readFileSync } from 'node:fs';
import type { TwinConfig } from '../config.js';
import type { JwtSettings } from './jwt.js';

/** Read the configured JWKS or PEM file once at start. */
export function loadJwtSettings(c: NonNullable<TwinConfig['auth']['jwt']>): JwtSettings {
  return {
    jwks: c.jwksFile ? (JSON.parse(readFileSync(c.jwksFile, 'utf8')) as JwtSettings['jwks']) : undefined,
    publicKeyPem: c.publicKeyFile ? readFileSync(c.publicKeyFile, 'utf8') : undefined,
    issuer: c.issuer,
    audience: c.audience,
    roleClaim: c.roleClaim,
    roleMap: c.roleMap,
  };
}

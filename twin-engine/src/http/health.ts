import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { TwinErrors } from '../errors.js';

/** A dependency readiness depends on (database, broker, ...): resolves when reachable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

const Health = z.object({ status: z.literal('ok'), time: z.string() });
const Ready = z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() })) });

async function timed(c: ReadinessCheck, timeoutMs: number): Promise<{ ok: boolean; ms: number; error?: string }> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([c.check(), new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)))]);
    return { ok: true, ms: Math.round(performance.now() - t0) };
  } catch (e) {
    return { ok: false, ms: Math.round(performance.now() - t0), error: (e as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET /api/health: liveness (the process answers; no dependency is touched).
 * GET /api/ready: readiness — every check (database, broker) reachable, else 503 NOT_READY.
 */
export const healthPlugin: FastifyPluginAsyncZod<{ checks: ReadinessCheck[] }> = async (app, opts) => {
  app.get('/health', { config: { access: 'public', rateLimit: false }, schema: { tags: ['health'], summary: 'Liveness', response: { 200: Health } } }, async () => ({
    status: 'ok' as const,
    time: new Date().toISOString(),
  }));
  app.get('/ready', { config: { access: 'public', rateLimit: false }, schema: { tags: ['health'], summary: 'Readiness: database and broker reachable', response: { 200: Ready } } }, async () => {
    const results = await Promise.all(opts.checks.map(async (c) => [c.name, await timed(c, 5000)] as const));
    const failing = results.filter(([, r]) => !r.ok).map(([n, r]) => `${n} (${r.error})`);
    if (failing.length) throw TwinErrors.NOT_READY(failing);
    return { status: 'ready' as const, checks: Object.fromEntries(results) };
  });
};

import { z } from 'zod';
import { baseEnv, env, loadConfig } from '@stagelives/platform';

export const routerEnv = {
  ...baseEnv,
  /** Port of the public entry point. */
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Address to bind; all interfaces in production, loopback otherwise. */
  HOST: z.string().optional(),
  /** Path of the composed supergraph SDL. */
  SUPERGRAPH_PATH: z.string().optional(),
  /** `name=url` pairs, comma-separated, overriding subgraph URLs from the supergraph file. */
  SUBGRAPH_URLS: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const map: Record<string, string> = {};
      for (const pair of s.split(',').map((p) => p.trim()).filter(Boolean)) {
        const [name, url] = pair.split('=');
        if (!name || !url || !/^https?:\/\//.test(url)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected name=http(s)://… pairs, got "${pair}"` });
          return z.NEVER;
        }
        map[name] = url;
      }
      return map;
    }),
  /** Allow introspection in production (it is always on elsewhere). */
  ALLOW_INTROSPECTION: env.bool.default('false'),
};

export type RouterConfig = ReturnType<typeof loadRouterConfig>;

export function loadRouterConfig(e: NodeJS.ProcessEnv = process.env) {
  return loadConfig(routerEnv, e);
}

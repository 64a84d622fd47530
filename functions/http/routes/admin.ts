import { createRoute, z } from '@hono/zod-openapi';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../store/keys.js';
import { caller } from '../auth.js';
import { bearerSecurity, errorResponses, jsonContent, router } from '../openapi.js';

const stats = createRoute({
  method: 'get',
  path: '/v1/admin/stats',
  tags: ['Admin'],
  summary: 'How many tenants, accounts, orders… exist (kept by the stream function; approximate)',
  security: bearerSecurity,
  responses: {
    200: jsonContent(z.object({ counts: z.record(z.string(), z.number()) }), 'Counts by entity'),
    401: errorResponses[401],
    403: errorResponses[403],
  },
});

export const adminRoutes = router().openapi(stats, async (c) => {
  caller(c, 'admin');
  const { db } = c.var.deps;
  const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.stats() }));
  const counts = Object.fromEntries(
    Object.entries(out.Item ?? {})
      .filter(([name]) => name.startsWith('count_'))
      .map(([name, value]) => [name.slice('count_'.length), Number(value)]),
  );
  return c.json({ counts }, 200);
});

import { z } from 'zod';
import { raw } from './http.js';

/** A JSON Schema node of the document, as far as tests read it (anyOf forms, properties, bounds). */
export interface SchemaNode {
  anyOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  pattern?: string;
  maxLength?: number;
  maximum?: number;
  [keyword: string]: unknown;
}
const SchemaNodeSchema: z.ZodType<SchemaNode> = z.lazy(() =>
  z
    .object({
      anyOf: z.array(SchemaNodeSchema).optional(),
      properties: z.record(z.string(), SchemaNodeSchema).optional(),
      pattern: z.string().optional(),
      maxLength: z.number().optional(),
      maximum: z.number().optional(),
    })
    .catchall(z.unknown()),
);

const OperationSchema = z.looseObject({
  security: z.unknown().optional(),
  'x-roles': z.array(z.enum(['advertiser', 'publisher', 'admin'])).optional(),
  requestBody: z.looseObject({ content: z.record(z.string(), z.looseObject({ schema: SchemaNodeSchema })) }).optional(),
  parameters: z.array(z.looseObject({ name: z.string(), in: z.string(), schema: SchemaNodeSchema })).optional(),
  responses: z.record(z.string(), z.looseObject({ description: z.string() })),
});
export type DocumentedOperation = z.infer<typeof OperationSchema>;

const DocumentSchema = z.looseObject({
  openapi: z.string(),
  paths: z.record(z.string(), z.record(z.string(), OperationSchema)),
  components: z.looseObject({ schemas: z.record(z.string(), SchemaNodeSchema), securitySchemes: z.record(z.string(), z.looseObject({})) }),
});
export type OpenApiDocument = z.infer<typeof DocumentSchema>;

/** The app's /openapi.json, checked against the shape tests read (the document itself is under test there). */
export async function openApiDocument(app: Parameters<typeof raw>[0]): Promise<OpenApiDocument> {
  const res = await raw(app, 'GET', '/openapi.json');
  if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}`);
  return DocumentSchema.parse(JSON.parse(res.text));
}

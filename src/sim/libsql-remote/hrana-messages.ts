import { z } from 'zod';

/**
 * The Hrana v2 JSON messages @libsql/client 0.18 sends (docs/scaling.md, "The database over the network"),
 * validated at the edge so the engine code below sees only well-formed requests.
 */

const valueSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('null') }),
  // Integers travel as decimal strings: a 64-bit value does not fit a JSON number.
  z.object({ type: z.literal('integer'), value: z.string().regex(/^-?\d+$/) }),
  z.object({ type: z.literal('float'), value: z.number() }),
  z.object({ type: z.literal('text'), value: z.string() }),
  z.object({ type: z.literal('blob'), base64: z.string() }),
]);
export type HranaValue = z.infer<typeof valueSchema>;

const stmtSchema = z.object({
  sql: z.string().optional(),
  sql_id: z.number().int().optional(),
  args: z.array(valueSchema).default([]),
  named_args: z.array(z.object({ name: z.string(), value: valueSchema })).default([]),
  want_rows: z.boolean().default(true),
});
export type HranaStmt = z.infer<typeof stmtSchema>;

export type HranaBatchCond =
  | { type: 'ok'; step: number }
  | { type: 'error'; step: number }
  | { type: 'not'; cond: HranaBatchCond }
  | { type: 'and'; conds: HranaBatchCond[] }
  | { type: 'or'; conds: HranaBatchCond[] }
  | { type: 'is_autocommit' };

const batchCondSchema: z.ZodType<HranaBatchCond> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('ok'), step: z.number().int().nonnegative() }),
    z.object({ type: z.literal('error'), step: z.number().int().nonnegative() }),
    z.object({ type: z.literal('not'), cond: batchCondSchema }),
    z.object({ type: z.literal('and'), conds: z.array(batchCondSchema) }),
    z.object({ type: z.literal('or'), conds: z.array(batchCondSchema) }),
    z.object({ type: z.literal('is_autocommit') }),
  ]),
);

const batchSchema = z.object({
  steps: z.array(z.object({ condition: batchCondSchema.optional(), stmt: stmtSchema })),
});
export type HranaBatch = z.infer<typeof batchSchema>;

const sqlRef = { sql: z.string().optional(), sql_id: z.number().int().optional() };

/** What one stream can be asked, over HTTP and (with a stream_id) over a WebSocket. */
const streamRequestVariants = [
  z.object({ type: z.literal('execute'), stmt: stmtSchema }),
  z.object({ type: z.literal('batch'), batch: batchSchema }),
  z.object({ type: z.literal('sequence'), ...sqlRef }),
  z.object({ type: z.literal('describe'), ...sqlRef }),
  z.object({ type: z.literal('store_sql'), sql_id: z.number().int(), sql: z.string() }),
  z.object({ type: z.literal('close_sql'), sql_id: z.number().int() }),
  z.object({ type: z.literal('get_autocommit') }),
] as const;

export const pipelineRequestSchema = z.object({
  baton: z.string().nullish(),
  requests: z.array(z.discriminatedUnion('type', [z.object({ type: z.literal('close') }), ...streamRequestVariants])),
});
export type PipelineRequest = z.infer<typeof pipelineRequestSchema>;
export type StreamRequest = Exclude<PipelineRequest['requests'][number], { type: 'close' }>;

const streamId = { stream_id: z.number().int() };
const wsRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('open_stream'), ...streamId }),
  z.object({ type: z.literal('close_stream'), ...streamId }),
  z.object({ type: z.literal('execute'), ...streamId, stmt: stmtSchema }),
  z.object({ type: z.literal('batch'), ...streamId, batch: batchSchema }),
  z.object({ type: z.literal('sequence'), ...streamId, ...sqlRef }),
  z.object({ type: z.literal('describe'), ...streamId, ...sqlRef }),
  z.object({ type: z.literal('store_sql'), sql_id: z.number().int(), sql: z.string() }),
  z.object({ type: z.literal('close_sql'), sql_id: z.number().int() }),
  z.object({ type: z.literal('get_autocommit'), ...streamId }),
]);
export type WsRequest = z.infer<typeof wsRequestSchema>;

export const wsClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), jwt: z.string().nullish() }),
  z.object({ type: z.literal('request'), request_id: z.number().int(), request: wsRequestSchema }),
]);
export type WsClientMessage = z.infer<typeof wsClientMessageSchema>;

export interface HranaError {
  readonly message: string;
  readonly code?: string;
}

export interface HranaCol {
  readonly name: string | null;
  readonly decltype: string | null;
}

export interface HranaStmtResult {
  readonly cols: HranaCol[];
  readonly rows: HranaValue[][];
  readonly affected_row_count: number;
  readonly last_insert_rowid: string | null;
}

export interface HranaBatchResult {
  readonly step_results: (HranaStmtResult | null)[];
  readonly step_errors: (HranaError | null)[];
}

export interface HranaDescribeResult {
  readonly params: { name: string | null }[];
  readonly cols: { name: string; decltype: string | null }[];
  readonly is_explain: boolean;
  readonly is_readonly: boolean;
}

/** A stream request's answer; the `type` echoes the request's, as the client checks. */
export type StreamResponse =
  | { type: 'execute'; result: HranaStmtResult }
  | { type: 'batch'; result: HranaBatchResult }
  | { type: 'sequence' }
  | { type: 'describe'; result: HranaDescribeResult }
  | { type: 'store_sql' }
  | { type: 'close_sql' }
  | { type: 'get_autocommit'; is_autocommit: boolean };

/** A refusal the client turns into a LibsqlError whose `code` is this code. */
export class HranaRequestError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'HranaRequestError';
    this.code = code;
  }
}

/** Zod's complaint as one line, for the client's error message. */
export function describeInvalid(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`).join('; ');
}

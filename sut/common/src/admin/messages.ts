import type { ConfigChange, ConfigWriteResult } from '../config/runtime-config.ts';
import type { FieldIssue } from '../errors.ts';

/** What the main thread hands its admin thread at start (structured-cloned; the buffer is shared). */
export interface AdminWorkerData {
  service: string;
  /** The process's identity (`http/process-instance.ts`), answered by /healthz. */
  instance: string;
  host: string;
  port: number;
  reusePort: boolean;
  secret: Uint8Array;
  /** Module exporting the service's runtime-config zod schema, and the export's name. */
  schemaModule: string;
  schemaExport: string;
  resourceKeys: readonly string[];
  /** The config in effect when the admin thread starts (committed version 0). */
  initial: Record<string, unknown>;
  buffer: SharedArrayBuffer;
  logLevel: string;
}

export interface WireError {
  status: number;
  code: string;
  message: string;
  issues?: FieldIssue[];
}

/** Admin thread -> main thread. */
export type ToMain =
  | { type: 'listening'; port: number }
  | { type: 'listen_failed'; code: string | undefined; message: string }
  | { type: 'apply'; id: number; next: Record<string, unknown>; who: string }
  | { type: 'metrics'; id: number }
  | { type: 'write_result'; id: number; ok: true; result: ConfigWriteResult<Record<string, unknown>> }
  | { type: 'write_result'; id: number; ok: false; error: WireError };

/** Main thread -> admin thread. */
export type ToWorker =
  | { type: 'applied'; id: number; ok: true; changes: ConfigChange[] }
  | { type: 'applied'; id: number; ok: false; error: WireError }
  | { type: 'metrics'; id: number; text: string; contentType: string }
  | { type: 'ready'; ok: boolean; reason?: string; at: number }
  | { type: 'write'; id: number; op: 'patch' | 'reset'; patch?: unknown; who: string };

import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import type { OtlpTraceRequestInput } from './otlp-json.ts';

const root = protobuf.parse(readFileSync(new URL('./otlp-trace.proto', import.meta.url), 'utf8'), {
  keepCase: false,
}).root;
const requestType = root.lookupType('opentelemetry.proto.ExportTraceServiceRequest');
const responseType = root.lookupType('opentelemetry.proto.ExportTraceServiceResponse');
const rpcStatusType = root.lookupType('opentelemetry.proto.RpcStatus');

const idFields = new Set(['traceId', 'spanId', 'parentSpanId']);

/** Ids become hex and other bytes base64, as in OTLP JSON, so one normaliser serves both encodings. */
function bytesToOtlpJson(value: unknown, key = ''): unknown {
  if (value instanceof Uint8Array)
    return idFields.has(key) ? Buffer.from(value).toString('hex') : Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((v) => bytesToOtlpJson(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = bytesToOtlpJson(v, k);
    return out;
  }
  return value;
}

/** Decodes a binary ExportTraceServiceRequest into the OTLP JSON shape. Throws on malformed input. */
export function decodeTraceRequest(body: Uint8Array): OtlpTraceRequestInput {
  const message = requestType.decode(body);
  // 64-bit fields as decimal strings keep nanosecond timestamps exact.
  const object = requestType.toObject(message, { longs: String, enums: Number, defaults: false, arrays: false });
  return bytesToOtlpJson(object) as OtlpTraceRequestInput;
}

/** Test helper and spec reference: encodes a request given in the OTLP JSON shape (hex ids). */
export function encodeTraceRequest(request: OtlpTraceRequestInput): Uint8Array {
  const hexToBytes = (value: unknown, key = ''): unknown => {
    if (typeof value === 'string' && idFields.has(key)) return Buffer.from(value, 'hex');
    if (Array.isArray(value)) return value.map((v) => hexToBytes(v));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = hexToBytes(v, k);
      return out;
    }
    return value;
  };
  return requestType.encode(requestType.fromObject(hexToBytes(request) as Record<string, unknown>)).finish();
}

/** An empty ExportTraceServiceResponse: full success. */
export function encodeEmptyResponse(): Uint8Array {
  return responseType.encode(responseType.create({})).finish();
}

/** google.rpc.Status, the body of OTLP/HTTP error responses. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return rpcStatusType.encode(rpcStatusType.create({ code, message })).finish();
}

import protobuf from 'protobufjs';
// The protobufjs static module OpenTelemetry generated from the published opentelemetry-proto
// definitions. Current @opentelemetry/otlp-transformer releases only encode; this pinned release
// still ships the generated decoder, so the bridge depends on it under an alias.
import generatedRoot from 'otlp-transformer-generated/build/src/generated/root.js';

/** A protobufjs message type, as much of it as the bridge uses. */
export interface MessageType<T = unknown> {
  decode(reader: Uint8Array): T;
  encode(message: T): { finish(): Uint8Array };
  fromObject(object: Record<string, unknown>): T;
  toObject(message: T, options?: { longs?: unknown; enums?: unknown; bytes?: unknown; defaults?: boolean }): Record<string, unknown>;
}

interface GeneratedRoot {
  opentelemetry: {
    proto: {
      collector: {
        trace: { v1: { ExportTraceServiceRequest: MessageType; ExportTraceServiceResponse: MessageType } };
      };
    };
  };
}

const traceService = (generatedRoot as unknown as GeneratedRoot).opentelemetry.proto.collector.trace.v1;

/** `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`. */
export const ExportTraceServiceRequest = traceService.ExportTraceServiceRequest;
/** `opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse`. */
export const ExportTraceServiceResponse = traceService.ExportTraceServiceResponse;

/**
 * `google.rpc.Status`, the body of OTLP/HTTP error answers. opentelemetry-proto does not ship it and
 * no maintained package ships it as protobufjs code, so it is declared here through protobufjs's
 * reflection API: `code` and `message` as in google/rpc/status.proto (`details`, a list of `Any`,
 * is left out: the bridge sends none, and an absent repeated field encodes to nothing).
 */
export const RpcStatus = new protobuf.Root()
  .define('google.rpc')
  .add(new protobuf.Type('Status').add(new protobuf.Field('code', 1, 'int32')).add(new protobuf.Field('message', 2, 'string')))
  .lookupType('Status') as unknown as MessageType;

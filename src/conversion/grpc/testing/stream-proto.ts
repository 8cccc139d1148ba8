/** A .proto used by the server-streaming tests: a stream of JSON messages, a stream of raw bodies, and the stream kinds refused at load. */
export const STREAM_PROTO = `
syntax = "proto3";
package tollgate.feed;

import "google/api/annotations.proto";
import "google/api/httpbody.proto";

message WatchRequest {
  string shop = 1;
  // Messages the backend writes.
  uint32 count = 2;
  // The gRPC status the stream ends with (0: OK).
  uint32 end_with = 3;
  // Bytes of padding in each message.
  uint32 pad_bytes = 4;
  // "hold": after the messages, wait until the test releases the call (or it is cancelled);
  // "trickle": one message every 20 ms.
  string mode = 5;
}

message Tick {
  int64 seq = 1;
  uint64 big = 2;
  string shop = 3;
  string pad = 4;
}

service Feed {
  rpc Watch(WatchRequest) returns (stream Tick) {
    option (google.api.http) = { get: "/v1/shops/{shop}/ticks" };
  }
  rpc Export(WatchRequest) returns (stream google.api.HttpBody) {
    option (google.api.http) = { get: "/v1/shops/{shop}/export" };
  }
  rpc Collect(stream Tick) returns (Tick);
  rpc Chat(stream Tick) returns (stream Tick);
}
`

/** A .proto used by the gRPC mapping and integration tests: 64-bit integers, nesting, lists, maps, enums, oneofs and well-known types. */
export const DEMO_PROTO = `
syntax = "proto3";
package tollgate.demo;

import "google/api/annotations.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/empty.proto";
import "google/protobuf/any.proto";

enum Status {
  STATUS_UNSPECIFIED = 0;
  STATUS_OPEN = 1;
  STATUS_PAID = 2;
}

message Item {
  string sku = 1;
  uint32 quantity = 2;
  sint64 price_cents = 3;
}

message Order {
  int64 order_id = 1;
  uint64 total_micros = 2;
  fixed64 checksum = 3;
  sfixed64 offset = 4;
  int32 small = 5;
  Status status = 6;
  repeated Item items = 7;
  repeated int64 tags = 8;
  map<string, int64> counters = 9;
  google.protobuf.Timestamp created_at = 10;
  google.protobuf.Duration ttl = 11;
  google.protobuf.Int64Value limit = 12;
  google.protobuf.StringValue note = 13;
  google.protobuf.Struct attributes = 14;
  google.protobuf.FieldMask mask = 15;
  bytes signature = 16;
  bool urgent = 17;
  double ratio = 18;
  float weight = 19;
  oneof payer {
    string card = 20;
    string account = 21;
  }
  optional int32 priority = 22;
  google.protobuf.Value extra = 23;
  google.protobuf.ListValue history = 24;
  google.protobuf.Any detail = 25;
  google.protobuf.BoolValue gift = 26;
  Item main_item = 27;
  repeated Status past = 28;
  map<int32, Item> by_slot = 29;
}

message GetOrderRequest {
  int64 order_id = 1;
  string shop = 2;
  Status status = 3;
  repeated string fields = 4;
  Item filter = 5;
}

message CreateOrderRequest {
  string shop = 1;
  Order order = 2;
}

message ShelfRequest {
  string name = 1;
  int64 order_id = 2;
}

service Orders {
  rpc GetOrder(GetOrderRequest) returns (Order) {
    option (google.api.http) = { get: "/v1/shops/{shop}/orders/{order_id}" };
  }
  rpc CreateOrder(CreateOrderRequest) returns (Order) {
    option (google.api.http) = {
      post: "/v1/shops/{shop}/orders"
      body: "order"
      additional_bindings { put: "/v1/orders" body: "*" }
    };
  }
  rpc GetShelf(ShelfRequest) returns (ShelfRequest) {
    option (google.api.http) = { get: "/v1/{name=shelves/*}" response_body: "name" };
  }
  rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty) {
    option (google.api.http) = { custom: { kind: "HEAD" path: "/v1/ping" } };
  }
  rpc Echo(Order) returns (Order);
}
`

/** A .proto used by the google.api.HttpBody tests: raw bodies as the whole message and as a field, both ways. */
export const HTTP_BODY_PROTO = `
syntax = "proto3";
package tollgate.files;

import "google/api/annotations.proto";
import "google/api/httpbody.proto";

message UploadRequest {
  string folder = 1;
  string name = 2;
  google.api.HttpBody file = 3;
}

message Stored {
  string name = 1;
  google.api.HttpBody file = 2;
}

message FetchRequest {
  string name = 1;
}

service Files {
  // The request body in, a body out, both raw.
  rpc Put(google.api.HttpBody) returns (google.api.HttpBody) {
    option (google.api.http) = { post: "/v1/raw" body: "*" };
  }
  // The body fills one field; path and query fill the others. The answer is one field's body.
  rpc Upload(UploadRequest) returns (Stored) {
    option (google.api.http) = { put: "/v1/folders/{folder}/files" body: "file" response_body: "file" };
  }
  // JSON-free answer to a request without a body.
  rpc Fetch(FetchRequest) returns (google.api.HttpBody) {
    option (google.api.http) = { get: "/v1/files/{name}" };
  }
  // Answers a Stored as JSON: a HttpBody inside a JSON answer is an ordinary message.
  rpc Describe(FetchRequest) returns (Stored) {
    option (google.api.http) = { get: "/v1/described/{name}" };
  }
}
`

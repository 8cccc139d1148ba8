/**
 * HTTP bindings of gRPC methods: from `google.api.http` annotations (with additional_bindings)
 * or from a route's `grpc` mapping. Each is checked against the method's messages when compiled,
 * so a binding that names a missing field, or a client-streaming or bidirectional method, is a
 * config problem. Unary and server-streaming methods are served.
 */
import protobuf from 'protobufjs'
import type { GrpcSchema } from '../descriptors/compile-schema.js'
import type { HttpRuleSpec } from '../descriptors/http-rule-schema.js'
import { DescriptorError } from '../descriptors/source.js'
import { compileTemplate, TemplateError, type PathTemplate } from './path-template.js'
import { httpBodyField, isHttpBody } from '../mapping/http-body.js'

/** One way an HTTP request reaches a gRPC method. */
export interface GrpcBinding {
  /** Upper-case HTTP method; undefined for a route mapping (the route matched already). */
  readonly httpMethod: string | undefined
  /** Where path variables come from; undefined for a route mapping without `path`. */
  readonly template: PathTemplate | undefined
  /** `/pkg.Service/Method`, the gRPC request path. */
  readonly grpcPath: string
  readonly requestType: protobuf.Type
  readonly responseType: protobuf.Type
  /** '' (no body), '*' (the whole request message) or a top-level request field. */
  readonly body: string
  /** '' (the whole response message) or a top-level response field. */
  readonly responseBody: string
  /** The request body goes raw into a google.api.HttpBody: the request message or the `body` field. */
  readonly rawRequestBody: boolean
  /** The response is the raw body of a google.api.HttpBody: the response message or the `response_body` field. */
  readonly rawResponseBody: boolean
  /** The method answers with a stream of messages (sent on as they arrive, docs/grpc.md). */
  readonly serverStreaming: boolean
}

/** The route form: `grpc: { service, method, path, body, response_body }`. */
export interface RouteGrpcMapping {
  readonly service: string
  readonly method: string
  readonly path?: string | undefined
  readonly body: string
  readonly response_body?: string | undefined
}

const RULE_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const

/**
 * The method `service`.`method` of the definitions; throws DescriptorError at `at` when it is
 * missing or takes a stream (client-streaming, bidirectional): an HTTP request is one message.
 */
export function findMethod (schema: GrpcSchema, service: string, method: string, at: string): protobuf.Method {
  const found = schema.services.get(service)
  if (found === undefined) throw new DescriptorError(at, `service '${service}' is not in the definitions (they have: ${[...schema.services.keys()].join(', ') || 'none'})`)
  const rpc = found.methods[method]
  if (rpc === undefined) throw new DescriptorError(at, `service '${service}' has no method '${method}'`)
  if (rpc.requestStream === true) {
    const kind = rpc.responseStream === true ? 'bidirectional streaming' : 'client-streaming'
    throw new DescriptorError(at, `method '${service}.${method}' is ${kind}; an HTTP request carries one message, so only unary and server-streaming methods are transcoded`)
  }
  return rpc
}

/** Every annotated binding of `services` (default: every service of the definitions), most specific first. */
export function annotatedBindings (schema: GrpcSchema, services: readonly string[] | undefined): GrpcBinding[] {
  const bindings: GrpcBinding[] = []
  for (const serviceName of services ?? schema.services.keys()) {
    const service = schema.services.get(serviceName)
    if (service === undefined) throw new DescriptorError('/services', `service '${serviceName}' is not in the definitions`)
    for (const method of service.methodsArray) {
      const rule = schema.rules.get(`${serviceName}.${method.name}`)
      if (rule === undefined) continue
      const rpc = findMethod(schema, serviceName, method.name, '')
      for (const one of flatten(rule)) bindings.push(bindingOf(rpc, serviceName, one, `method ${serviceName}.${method.name}`))
    }
  }
  return bindings.sort((a, b) => (b.template?.literalCount ?? 0) - (a.template?.literalCount ?? 0))
}

/** The binding of a route's `grpc` mapping; problems are reported at paths inside the mapping. */
export function routeBinding (schema: GrpcSchema, mapping: RouteGrpcMapping): GrpcBinding {
  const rpc = findMethod(schema, mapping.service, mapping.method, '/method')
  const grpcPath = `/${mapping.service}/${mapping.method}`
  let template: PathTemplate | undefined
  if (mapping.path !== undefined) template = compileOrFail(mapping.path, '/path')
  const binding = withBodyKinds(rpc, { httpMethod: undefined, template, grpcPath, requestType: rpc.resolvedRequestType as protobuf.Type, responseType: rpc.resolvedResponseType as protobuf.Type, body: mapping.body, responseBody: mapping.response_body ?? '' })
  checkFields(binding, '')
  return binding
}

function flatten (rule: HttpRuleSpec): HttpRuleSpec[] {
  const extra = rule.additional_bindings === undefined ? [] : Array.isArray(rule.additional_bindings) ? rule.additional_bindings : [rule.additional_bindings]
  return [rule, ...extra.map((one) => ({ ...one, response_body: one.response_body ?? rule.response_body }))]
}

function bindingOf (rpc: protobuf.Method, serviceName: string, rule: HttpRuleSpec, what: string): GrpcBinding {
  let httpMethod: string | undefined
  let path: string | undefined
  for (const name of RULE_METHODS) {
    const value = rule[name]
    if (value !== undefined && value !== '') [httpMethod, path] = [name.toUpperCase(), value]
  }
  if (rule.custom?.path !== undefined && rule.custom.path !== '') [httpMethod, path] = [(rule.custom.kind ?? '').toUpperCase(), rule.custom.path]
  if (httpMethod === undefined || path === undefined || !/^[A-Z]+$/.test(httpMethod)) throw new DescriptorError('', `${what}: the google.api.http rule has no HTTP method and path`)
  const binding = withBodyKinds(rpc, {
    httpMethod,
    template: compileOrFail(path, '', what),
    grpcPath: `/${serviceName}/${rpc.name}`,
    requestType: rpc.resolvedRequestType as protobuf.Type,
    responseType: rpc.resolvedResponseType as protobuf.Type,
    body: rule.body ?? '',
    responseBody: rule.response_body ?? ''
  })
  checkFields(binding, '', what)
  return binding
}

/** Marks the bodies carried raw in google.api.HttpBody rather than mapped to JSON, and streamed answers. */
function withBodyKinds (rpc: protobuf.Method, binding: Omit<GrpcBinding, 'rawRequestBody' | 'rawResponseBody' | 'serverStreaming'>): GrpcBinding {
  const { requestType, responseType, body, responseBody } = binding
  return {
    ...binding,
    serverStreaming: rpc.responseStream === true,
    rawRequestBody: body === '*' ? isHttpBody(requestType) : body !== '' && httpBodyField(requestType, body) !== undefined,
    rawResponseBody: responseBody === '' ? isHttpBody(responseType) : httpBodyField(responseType, responseBody) !== undefined
  }
}

function compileOrFail (text: string, at: string, what?: string): PathTemplate {
  try {
    return compileTemplate(text)
  } catch (error) {
    if (error instanceof TemplateError) throw new DescriptorError(at, what === undefined ? error.message : `${what}: ${error.message}`)
    throw error
  }
}

/** Path variables, body and response_body must name fields that can hold them. */
function checkFields (binding: GrpcBinding, at: string, what?: string): void {
  const fail = (path: string, reason: string): never => { throw new DescriptorError(at + path, what === undefined ? reason : `${what}: ${reason}`) }
  for (const variable of binding.template?.variables ?? []) {
    let type: protobuf.Type = binding.requestType
    variable.fieldPath.forEach((name, i) => {
      const field = type.fields[name]
      if (field === undefined) return fail(what === undefined ? '/path' : '', `path variable '${variable.fieldPath.join('.')}' names no field of ${type.fullName.slice(1)}`)
      field.resolve()
      const last = i === variable.fieldPath.length - 1
      if (field.repeated || field.map) return fail(what === undefined ? '/path' : '', `path variable '${variable.fieldPath.join('.')}' names a list or map field`)
      if (!last) {
        if (!(field.resolvedType instanceof protobuf.Type)) return fail(what === undefined ? '/path' : '', `'${name}' in path variable '${variable.fieldPath.join('.')}' is not a message field`)
        type = field.resolvedType
      }
    })
  }
  if (binding.body !== '' && binding.body !== '*' && binding.requestType.fields[binding.body] === undefined) {
    fail(what === undefined ? '/body' : '', `body '${binding.body}' names no field of ${binding.requestType.fullName.slice(1)}`)
  }
  if (binding.responseBody !== '' && binding.responseType.fields[binding.responseBody] === undefined) {
    fail(what === undefined ? '/response_body' : '', `response_body '${binding.responseBody}' names no field of ${binding.responseType.fullName.slice(1)}`)
  }
}

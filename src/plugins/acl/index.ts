export { acl, type AclState } from './handler.js'
export { aclSchema, type AclConfig } from './schema.js'

export { ipRestriction, type IpRestrictionState } from './handler.js'
export { ipRestrictionSchema, type IpRestrictionConfig } from './schema.js'

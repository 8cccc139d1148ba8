/** Cross checks of `config_source`: what each kind needs and what a bootstrap file must leave out. */
import type { ConfigDocument } from '../schema/document.js'
import type { ProblemList } from '../problems.js'

const ENTITY_LISTS = ['services', 'routes', 'merchants', 'plugins', 'certificates'] as const

/**
 * A control-plane source needs `rpc` and `gateway.redis`, and its file holds no entities (they
 * come from the control plane; two sources of one route table would disagree). A file source
 * carries no control-plane settings, so a half-edited bootstrap is not silently a file config.
 */
export function checkConfigSource (doc: Partial<ConfigDocument>, problems: ProblemList): void {
  const source = doc.config_source
  if (source === undefined || typeof source !== 'object') return
  if (source.kind === 'control-plane') {
    if (source.rpc === undefined) problems.add('/config_source/rpc', 'required with kind control-plane: the address of the config RPC service')
    if (doc.gateway?.redis === undefined) problems.add('/gateway/redis', 'required with config_source kind control-plane: the Redis the control plane writes (L2)')
    for (const list of ENTITY_LISTS) {
      const items = doc[list]
      if (Array.isArray(items) && items.length > 0) problems.add(`/${list}`, 'not allowed with config_source kind control-plane: entities come from the control plane')
    }
  } else if (source.kind === 'file') {
    if (source.rpc !== undefined) problems.add('/config_source/rpc', 'only with kind control-plane')
    if (source.snapshot_file !== undefined) problems.add('/config_source/snapshot_file', 'only with kind control-plane')
  }
}

/** Turns a store write outcome into the admin reply (or the refusal to throw). */
import type { WriteOutcome } from '../store/config-store.js'
import { AdminError, invalid, type AdminReply } from './exchange.js'
import { etagOf } from './versions.js'

export function outcomeReply (outcome: WriteOutcome, location: string): AdminReply {
  switch (outcome.status) {
    case 'written':
    case 'unchanged': {
      const created = outcome.status === 'written' && outcome.created
      return {
        status: created ? 201 : 200,
        body: JSON.parse(outcome.entity.body ?? 'null') as unknown,
        headers: { etag: etagOf(outcome.entity.version), ...(created ? { location } : {}) }
      }
    }
    case 'deleted':
      return { status: 204, headers: { 'x-tollgate-config-version': String(outcome.version) } }
    case 'invalid':
      throw invalid(outcome.problems)
    case 'not_found':
      throw new AdminError('TG_ADMIN_NOT_FOUND', `${location} does not exist`)
    case 'exists':
      throw new AdminError('TG_ADMIN_EXISTS', `${location} already exists (use PUT to replace it)`, {}, { etag: etagOf(outcome.entity.version) })
    case 'version_mismatch':
      throw new AdminError('TG_ADMIN_VERSION_MISMATCH', outcome.current === undefined
        ? `${location} does not exist, so it cannot match If-Match`
        : `${location} is at version ${outcome.current}, not the one in If-Match`, { current_version: outcome.current ?? null },
      outcome.current === undefined ? {} : { etag: etagOf(outcome.current) })
  }
}

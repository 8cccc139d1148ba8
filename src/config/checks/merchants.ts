/** Cross checks of merchants: API keys unique across merchants, secret ids unique per merchant, JWT keys usable. */
import type { MerchantEntry } from '../schema/merchant.js'
import type { ProblemList } from '../problems.js'
import type { Item } from './items.js'
import { importJwtKey } from '../../plugins/_shared/jwt-key.js'

/**
 * Reports an API key held twice (an API key must name one merchant) and a secret id repeated in
 * one merchant. The key itself is never written into a problem: problems end up in logs.
 */
export function checkMerchants (merchants: ReadonlyArray<Item<MerchantEntry>>, problems: ProblemList): void {
  const keyOwners = new Map<string, { merchant: string, at: string }>()
  for (const { at, entry } of merchants) {
    entry.credentials.api_keys.forEach((apiKey, k) => {
      const path = `${at}/credentials/api_keys/${k}/key`
      const owner = keyOwners.get(apiKey.key)
      if (owner === undefined) keyOwners.set(apiKey.key, { merchant: entry.id, at: path })
      else if (owner.merchant === entry.id) problems.add(path, `the same API key is listed twice for this merchant (also at ${owner.at})`)
      else problems.add(path, `this API key already belongs to merchant '${owner.merchant}' (${owner.at}); API keys must be unique`)
    })
    const secretIds = new Map<string, number>()
    entry.credentials.secrets.forEach((secret, k) => {
      const earlier = secretIds.get(secret.id)
      if (earlier === undefined) secretIds.set(secret.id, k)
      else problems.add(`${at}/credentials/secrets/${k}/id`, `duplicate secret id '${secret.id}' (also at ${at}/credentials/secrets/${earlier}/id)`)
    })
    checkJwtKeys(at, entry, problems)
  }
}

/** Each JWT key has the material its algorithm needs, and it imports; a kid is not repeated. */
function checkJwtKeys (at: string, entry: MerchantEntry, problems: ProblemList): void {
  const kids = new Map<string, number>()
  entry.credentials.jwt_keys.forEach((jwtKey, k) => {
    const path = `${at}/credentials/jwt_keys/${k}`
    const imported = importJwtKey(jwtKey)
    if ('problem' in imported) problems.add(`${path}/${imported.field}`, imported.problem)
    if (jwtKey.kid === undefined) return
    const earlier = kids.get(jwtKey.kid)
    if (earlier === undefined) kids.set(jwtKey.kid, k)
    else problems.add(`${path}/kid`, `duplicate kid '${jwtKey.kid}' (also at ${at}/credentials/jwt_keys/${earlier}/kid)`)
  })
}

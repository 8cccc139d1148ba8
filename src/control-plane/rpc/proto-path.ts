/**
 * Where the config RPC contract is at run time: `proto/` at the package root, shipped with the
 * package (package.json `files`). This file runs from `dist/src/control-plane/rpc/`.
 */
import { fileURLToPath } from 'node:url'

export const CONFIG_PROTO_PATH = fileURLToPath(new URL('../../../../proto/tollgate/config/v1/config.proto', import.meta.url))

/** Shared by the control-plane commands: `-c FILE` → validated settings, or a readable error. */
import { formatProblems } from '../config/problems.js'
import { loadSettingsFile } from '../control-plane/load-settings.js'
import type { ControlPlaneSettings } from '../control-plane/settings-schema.js'

export function requireSettings (path: string | undefined): ControlPlaneSettings {
  if (path === undefined) throw new Error('-c/--config FILE (the control plane settings) is required')
  const loaded = loadSettingsFile(path)
  if (!loaded.ok) throw new Error(`invalid settings:\n${formatProblems(loaded.problems)}`)
  return loaded.settings
}

import { scan } from '../codec/json/index.js'

/** Whether `text` is one JSON text as the lossless codec reads request bodies (the `tg-json` format). */
export function isJsonText (text: string): boolean {
  try {
    scan(text)
    return true
  } catch {
    return false
  }
}

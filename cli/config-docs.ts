// `npm run config:docs`: writes the table of the relay's and the bridge's variables into the README.
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { withConfigTable } from "./configDocs.js"

const README = fileURLToPath(new URL("../README.md", import.meta.url))
const before = readFileSync(README, "utf8")
const after = withConfigTable(before)
if (after !== before) writeFileSync(README, after)
console.log(
  after === before ? "README.md: the configuration table is current" : "README.md: configuration table written",
)

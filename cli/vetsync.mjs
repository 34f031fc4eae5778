#!/usr/bin/env node
// The `vetsync` command. The product is TypeScript run through tsx's loader, so the
// same sources serve the CLI, the tests and the Electron build.
import { register } from "tsx/esm/api"

register()
const { main } = await import("./main.ts")
process.exitCode = await main(process.argv.slice(2))

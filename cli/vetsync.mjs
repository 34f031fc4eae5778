#!/usr/bin/env node
// The `vetsync` command. The product is TypeScript run through tsx's loader, so the
// same sources serve the CLI, the tests and the Electron build.
import { register } from "tsx/esm/api"

register()
const { main } = await import("./main.ts")
const code = await main(process.argv.slice(2))
// a failure exits now, with its code: an exit hook of a library (one that registers
// on beforeExit) would otherwise end the process with 0. stdout and stderr are synchronous for
// files, pipes and terminals on Linux, so nothing printed is lost.
if (code !== 0) process.exit(code)

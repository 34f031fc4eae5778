// The built `vetsync` command (`npm run build`: dist/cli/bin.js), run with plain node in production;
// from source, cli/vetsync.mjs runs cli/main.ts through tsx.
import { main } from "./main.js"

const code = await main(process.argv.slice(2))
// a failure exits now, with its code (see cli/vetsync.mjs)
if (code !== 0) process.exit(code)

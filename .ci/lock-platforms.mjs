#!/usr/bin/env node
/**
 * Adds lockfile entries for platform-specific optional dependencies that are missing
 * from package-lock.json (e.g. @rollup/rollup-darwin-arm64 when the lock was written
 * against a registry mirror that only serves Linux builds). Without them `npm ci` stops
 * with "Missing: <pkg>@ from lock file", on every platform.
 *
 * The entries carry version, os, cpu (and libc) only: npm never installs them on a
 * platform they do not match, so the installed tree is unchanged.
 *
 *   node .ci/lock-platforms.mjs          repair package-lock.json in place
 *   node .ci/lock-platforms.mjs --check  exit 1 (and list them) if entries are missing
 */
import { readFileSync, writeFileSync } from "node:fs"

const OS = ["aix", "android", "darwin", "freebsd", "linux", "netbsd", "openbsd", "openharmony", "sunos", "win32"]
const CPU = ["arm", "arm64", "ia32", "loong64", "mips64el", "ppc64", "riscv64", "s390x", "x64"]
const ARM_ABI = ["eabi", "gnueabihf", "musleabihf", "androideabi"]

/** { os, cpu, libc? } from a name like "@rollup/rollup-linux-arm-musleabihf", or undefined. */
const platformOf = name => {
  const parts = name.replace(/^@[^/]+\//, "").split("-")
  const os = parts.find(p => OS.includes(p))
  let cpu = parts.find(p => CPU.includes(p))
  if (parts.some(p => ARM_ABI.includes(p)) && (!cpu || cpu === "arm")) cpu = "arm"
  if (!os || !cpu) return undefined
  const libc =
    os !== "linux"
      ? undefined
      : parts.some(p => p.startsWith("musl"))
        ? "musl"
        : parts.some(p => p.startsWith("gnu"))
          ? "glibc"
          : undefined
  return { os, cpu, libc }
}

const file = new URL("../package-lock.json", import.meta.url)
const check = process.argv.includes("--check")
const lock = JSON.parse(readFileSync(file, "utf8"))
const packages = lock.packages ?? {}

/** Where node resolution from `from` would find `name` in the lock, if anywhere. */
const resolves = (from, name) => {
  for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf("/node_modules/")))) {
    if (packages[`${dir ? `${dir}/` : ""}node_modules/${name}`]) return true
    if (!dir) return false
  }
}

const added = []
const unknown = []
for (const [path, pkg] of Object.entries(packages)) {
  // under an optional package npm tolerates missing builds (it drops the parent instead)
  if (pkg.optional) continue
  for (const [name, range] of Object.entries(pkg.optionalDependencies ?? {})) {
    if (resolves(path, name)) continue
    const platform = platformOf(name)
    const exact = /^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range)
    if (!platform || !exact) {
      if (!platform && name !== "fsevents") unknown.push(`${name}@${range} (of ${path || "the root"})`)
      continue
    }
    const key = packages[`node_modules/${name}`] ? `${path}/node_modules/${name}` : `node_modules/${name}`
    const entry = { version: range, cpu: [platform.cpu] }
    if (pkg.dev) entry.dev = true
    if (pkg.devOptional) entry.devOptional = true
    if (platform.libc) entry.libc = [platform.libc]
    entry.optional = true
    entry.os = [platform.os]
    packages[key] = entry
    added.push(`${name}@${range}`)
  }
}

if (unknown.length)
  console.log(
    `lock-platforms: optional dependencies missing from the lock, not platform builds:\n  ${unknown.join("\n  ")}`,
  )
if (added.length === 0) {
  console.log("lock-platforms: package-lock.json lists every platform build")
  process.exit(0)
}
console.log(`lock-platforms: ${added.length} platform builds missing from package-lock.json: ${added.join(", ")}`)
if (check) process.exit(1)
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b, "en"))),
)
writeFileSync(file, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`)
console.log("lock-platforms: added them (version, os, cpu only; npm skips builds for other platforms)")

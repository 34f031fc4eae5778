/**
 * The three Reflect metadata functions tsyringe (under @peculiar/x509) asks for at load, when no
 * polyfill (reflect-metadata) is installed. x509's classes take no constructor parameters, so the
 * metadata it reads is always absent; this keeps what is defined, per target and key, and reads
 * along the prototype chain like reflect-metadata. Imported before @peculiar/x509.
 */
type Target = object
const store = new WeakMap<Target, Map<unknown, unknown>>()

interface ReflectMetadata {
  getMetadata?: (key: unknown, target: Target) => unknown
  getOwnMetadata?: (key: unknown, target: Target) => unknown
  defineMetadata?: (key: unknown, value: unknown, target: Target) => void
}

const reflect = Reflect as typeof Reflect & ReflectMetadata
if (typeof reflect.getMetadata !== "function") {
  const own = (key: unknown, target: Target): unknown => store.get(target)?.get(key)
  reflect.getOwnMetadata = own
  reflect.defineMetadata = (key, value, target) => {
    const map = store.get(target) ?? new Map<unknown, unknown>()
    map.set(key, value)
    store.set(target, map)
  }
  reflect.getMetadata = (key, target) => {
    for (let t: Target | null = target; t !== null; t = Object.getPrototypeOf(t) as Target | null) {
      const found = store.get(t)
      if (found?.has(key)) return found.get(key)
    }
    return undefined
  }
}

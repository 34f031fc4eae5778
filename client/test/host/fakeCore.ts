import { DeskError, type DeskArgs, type DeskCommand, type DeskEvent, type DeskResult } from "../../src/core/api.js"
import type { DeskCoreLike } from "../../src/host/dispatch.js"

/** A desk core stand-in: records calls, answers from a table, emits events on demand. */
export class FakeCore implements DeskCoreLike {
  readonly calls: { command: DeskCommand; args: unknown }[] = []
  private readonly listeners = new Set<(e: DeskEvent) => void>()
  closed = false

  async call<C extends DeskCommand>(command: C, args: DeskArgs<C>): Promise<Awaited<DeskResult<C>>> {
    this.calls.push({ command, args })
    if (command === "clients.create") {
      const a = args as { name?: string }
      if (!a?.name) throw new DeskError("validation", "client is invalid", [{ field: "name", code: "required", message: "is required" }])
    }
    if (command === "clients.get") throw new DeskError("not_found", "no such client")
    if (command === "invoices.void") throw new Error("boom")
    return { echo: command, args } as unknown as Awaited<DeskResult<C>>
  }

  onEvent(listener: (e: DeskEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit(e: DeskEvent): void {
    for (const l of this.listeners) l(e)
  }

  get listenerCount(): number {
    return this.listeners.size
  }

  close(): void {
    this.closed = true
  }
}

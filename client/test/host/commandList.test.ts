import fc from "fast-check"
import { RecordHistories } from "../../src/core/history/RecordHistories.js"
import { describe, expect, it } from "vitest"
import { COMMAND_ARGS } from "../../src/core/commandArgs.js"
import type { CommandContext } from "../../src/core/commands/context.js"
import type { DeskSession } from "../../src/core/DeskSession.js"
import { createHandlers, DESK_COMMANDS, DESK_HANDLERS, isDeskCommand } from "../../src/core/handlers.js"
import { dispatchHostCall, type HostRoutes } from "../../src/host/dispatch.js"
import type { SetupStatus } from "../../src/setup/setupApi.js"
import { isSetupCommand, SETUP_COMMANDS } from "../../src/setup/setupArgs.js"
import { FakeCore } from "./fakeCore.js"

/** a command name, or something close to one: prototype names, other cases, padding, another API's prefix */
const nearNames = fc.oneof(
  fc.constantFrom(...DESK_COMMANDS, ...SETUP_COMMANDS),
  fc.constantFrom("constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "", "setup", "clients", "."),
  fc
    .tuple(fc.constantFrom(...DESK_COMMANDS, ...SETUP_COMMANDS), fc.constantFrom(" ", ".", "x", "/"))
    .map(([c, s]) => `${c}${s}`),
  fc.constantFrom(...DESK_COMMANDS, ...SETUP_COMMANDS).map(c => c.toUpperCase()),
  fc.string(),
)

describe("the list of commands is the handler map's keys", () => {
  it("DESK_COMMANDS is DESK_HANDLERS' keys, in order, one per argument schema, and a core's API has exactly them", () => {
    expect(DESK_COMMANDS).toEqual(Object.keys(DESK_HANDLERS))
    expect([...DESK_COMMANDS].sort()).toEqual(Object.keys(COMMAND_ARGS).sort())
    const api = createHandlers({
      ctx: { rm: {} } as CommandContext,
      status: () => {
        throw new Error("not called")
      },
      syncNow: () => {
        throw new Error("not called")
      },
      fiscal: () => {
        throw new Error("not called")
      },
      session: {} as DeskSession,
      profile: () => {
        throw new Error("not called")
      },
      histories: new RecordHistories(async () => {
        throw new Error("not called")
      }),
    })
    expect(Object.keys(api)).toEqual(DESK_COMMANDS)
  })

  it("a name is a desk command exactly when the handler map has it as its own key, a setup command when the setup API's map has it", () => {
    fc.assert(
      fc.property(nearNames, name => {
        expect(isDeskCommand(name)).toBe(Object.hasOwn(DESK_HANDLERS, name))
        expect(isSetupCommand(name)).toBe((SETUP_COMMANDS as readonly string[]).includes(name))
        expect(isDeskCommand(name) && isSetupCommand(name)).toBe(false)
      }),
      { numRuns: 500 },
    )
  })

  it("the host's dispatch sends every listed command where it belongs and refuses every other name before calling anything", async () => {
    const status = { phase: "ready" } as SetupStatus
    await fc.assert(
      fc.asyncProperty(nearNames, async name => {
        const core = new FakeCore()
        const setup: string[] = []
        const routes: HostRoutes = {
          setup: async c => {
            setup.push(c)
            return status
          },
          core: () => core,
        }
        const r = await dispatchHostCall(routes, name, {})
        if (isSetupCommand(name)) expect([r, setup, core.calls]).toEqual([{ ok: true, value: status }, [name], []])
        else if (isDeskCommand(name)) {
          expect(setup).toEqual([])
          expect(core.calls.map(c => c.command)).toEqual([name])
        } else {
          expect(r).toEqual({ ok: false, error: { code: "bad_request", message: `unknown command: ${name}` } })
          expect([setup, core.calls]).toEqual([[], []])
        }
      }),
      { numRuns: 300 },
    )
  })
})

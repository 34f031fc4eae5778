import { describe, expect, it } from "vitest"
import { eventually, EventuallyError } from "@vetsync/test-kit"

describe("eventually", () => {
  it("returns the first truthy value check gives", async () => {
    let n = 0
    await expect(eventually("n to reach 3", () => (++n >= 3 ? n : false), 1000, { pollMs: 1 })).resolves.toBe(3)
  })

  it("returns 0 and empty strings: only undefined, null and false mean not yet", async () => {
    await expect(eventually("zero", () => 0, 100)).resolves.toBe(0)
    await expect(eventually("empty", () => "", 100)).resolves.toBe("")
  })

  it("fails with what it waited for and the last error check threw", async () => {
    const err = await eventually(
      "the desk to be online",
      () => {
        throw new Error("state is offline")
      },
      60,
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(EventuallyError)
    expect((err as Error).message).toMatch(/timed out after 60 ms waiting for the desk to be online; last seen: state is offline/)
  })

  it("fails with what describe says of the state it saw last", async () => {
    await expect(eventually("3 waiting to reach 0", () => false, 30, { describe: () => "waiting=3" })).rejects.toThrow(
      /waiting for 3 waiting to reach 0; last seen: waiting=3/,
    )
  })
})

/** "client is invalid: ..." / "patient 1 is invalid: ..." -> "client" / "patient" (the core's validation messages) */
export const scopeOf = (message: string): string => /^(\w+)(?: \d+)? is invalid\b/.exec(message)?.[1] ?? ""

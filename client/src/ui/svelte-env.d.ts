/// <reference types="svelte" />
/// <reference types="vite/client" />

// No `declare module "*.svelte"` here: a component's props are its own, as svelte-check sees them
// (svelte2tsx). The root tsc cannot read .svelte files, so the modules that import components
// (main.ts) are left out of the root tsconfig.json and checked by svelte-check (client's
// tsconfig.json, `npm run check:ui`, run by `npm run lint`).

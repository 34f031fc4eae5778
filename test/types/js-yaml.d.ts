// js-yaml 4 (installed with eslint) ships no types; the one function the deployment files' test uses
declare module "js-yaml" {
  export function load(text: string): unknown
}

/** Price list, rejections, the clinic profile and staff: written by the bridge (a service) only; one home in @vetsync/shared. */
export { isServerOwned } from "@vetsync/shared"

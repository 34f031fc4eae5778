// one home: @vetsync/shared/net
export { refusalKind } from "@vetsync/shared/net"

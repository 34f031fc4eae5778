// one home: @vetsync/shared/net
export { encodeFrame, parseClientFrame, PROTOCOL_V1, type DocFrame, type JoinFrame, type ParsedFrame } from "@vetsync/shared/net"

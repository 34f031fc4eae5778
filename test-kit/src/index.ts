export { eventually, EventuallyError, type EventuallyOptions } from "./eventually.js"
export { freePort } from "./freePort.js"
export { TcpProxy, type ProxyMode, type TcpProxyStats } from "./TcpProxy.js"
export { SupervisedProcess, type SupervisedProcessOptions, type ProcessExit } from "./SupervisedProcess.js"

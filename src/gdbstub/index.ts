export { GdbClient, type Capability } from './client.js';
export { RspConnection, parseTarget, type ConnectionOptions } from './connection.js';
export { RspError, isRspError, type RspErrorCode } from './errors.js';
export { parseStopReply, threadNumber, type StopReply } from './stop-reply.js';
export type { RegisterMap, RegisterInfo } from './target-description.js';
export { readUintLE } from './framing.js';

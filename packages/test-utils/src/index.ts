export { secretEchoWat } from './secret-echo.js';
export { compileWat, GUEST_HELPERS, guestWat, type GuestWatOptions, KERNEL_IMPORTS, probeWat, type WatFeatures, watString } from './wat.js';
export { answerReaderWat, decodeAnswer, type ReadAnswer } from './answer-reader.js';
export { wasiToolWat } from './wasi-tool.js';
export { type ReceivedFrame, type ServerConnection, startWsServer, type TestWsServer, WsClient } from './ws-server.js';
export { startChild, type WatchedChild } from './child-process.js';
export { makeTempDir, removeTempDirs } from './temp-dir.js';
export { hostCallModule, hostileManifest, type HostileModuleName, hostileModules } from './hostile.js';
export { largestGapWhile } from './event-loop.js';

export { secretEchoWat } from './secret-echo.js';
export { compileWat, GUEST_HELPERS, guestWat, type GuestWatOptions, KERNEL_IMPORTS, probeWat, type WatFeatures, watString } from './wat.js';
export { startChild, type WatchedChild } from './child-process.js';
export { makeTempDir, removeTempDirs } from './temp-dir.js';
export { hostCallModule, hostileManifest, type HostileModuleName, hostileModules } from './hostile.js';

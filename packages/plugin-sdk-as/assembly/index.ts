export * from "./abort";
export * from "./base64";
export * from "./config";
export * from "./host";
export * from "./json";
export * from "./json-validate";
export * from "./memory";
export * from "./protocol";

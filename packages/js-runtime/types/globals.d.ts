// The globals of a plugin on @diaryx/js-runtime: the API that @extism/js-pdk 1.1.1 types, so
// code written against either set of typings builds with either compiler. Add to a plugin's
// tsconfig: "types": ["@diaryx/js-runtime/globals"].
export {};

declare global {
  /** A memory offset or length (Extism i64). */
  type I64 = number | bigint;
  /** An offset in Extism memory. */
  type PTR = I64;

  interface MemoryHandle {
    offset: PTR;
    len: I64;
    readString(): string;
    readUInt32(): number;
    readUInt64(): bigint;
    readFloat32(): number;
    readUFloat64(): number;
    readBytes(): ArrayBuffer;
    readJsonObject<T = unknown>(): T;
    free(): void;
  }
  var MemoryHandle: { prototype: MemoryHandle; new (offset: PTR, len: I64): MemoryHandle };

  interface Memory {
    fromString(str: string): MemoryHandle;
    fromBuffer(bytes: ArrayBufferLike): MemoryHandle;
    fromJsonObject(obj: unknown): MemoryHandle;
    allocUInt32(i: number): MemoryHandle;
    allocUInt64(i: bigint): MemoryHandle;
    allocFloat32(i: number): MemoryHandle;
    allocFloat64(i: number): MemoryHandle;
    find(offset: PTR): MemoryHandle;
  }
  var Memory: Memory;

  /** The host functions: one memory offset in, one out. */
  type HostFunctions = Readonly<Record<string, (offset: PTR) => PTR>>;

  interface Host {
    inputBytes(): ArrayBufferLike;
    inputString(): string;
    outputBytes(output: ArrayBufferLike): boolean;
    outputString(output: string): boolean;
    getFunctions(): HostFunctions;
    arrayBufferToBase64(input: ArrayBuffer): string;
    base64ToArrayBuffer(input: string): ArrayBuffer;
  }
  var Host: Host;

  var Var: {
    set(name: string, value: string | ArrayBufferLike): void;
    getBytes(name: string): ArrayBufferLike | null;
    getString(name: string): string | null;
  };

  var Config: { get(key: string): string | null };

  interface HttpRequest {
    url: string;
    method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';
    headers?: Record<string, string | number | boolean>;
  }
  interface HttpResponse {
    body: string;
    status: number;
  }
  var Http: { request(req: HttpRequest, body?: string | ArrayBufferLike): HttpResponse };
}

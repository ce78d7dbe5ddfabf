// The globals of the @extism/js-pdk API over the runtime's native functions. Evaluated once, at
// build time, before the plugin's bundle; both end up in the plugin's memory snapshot.
(function () {
  'use strict';
  const native = globalThis.__diaryx_native;
  delete globalThis.__diaryx_native;
  let building = true;
  // Top-level code runs once, at build time, where there is no host: name what was called and
  // what to do, rather than the Extism function underneath (alloc, input_length, …).
  const atRunTime = (api) => {
    if (building) {
      throw new Error(
        `${api} was called while the plugin's top-level code ran at build time (there is no host then): ` +
          'call Host, Memory, Var, Config, Http and host functions inside an exported function or a handler',
      );
    }
  };
  const define = (name, value) =>
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });

  class MemoryHandle {
    constructor(offset, len) {
      this.offset = offset;
      this.len = len;
    }
    readString() {
      return native.read(this.offset, true);
    }
    readBytes() {
      return native.read(this.offset, false);
    }
    readJsonObject() {
      return JSON.parse(this.readString());
    }
    readUInt32() {
      return new DataView(this.readBytes()).getUint32(0, true);
    }
    readUInt64() {
      return new DataView(this.readBytes()).getBigUint64(0, true);
    }
    readFloat32() {
      return new DataView(this.readBytes()).getFloat32(0, true);
    }
    readUFloat64() {
      return new DataView(this.readBytes()).getFloat64(0, true);
    }
    free() {
      native.free(this.offset);
    }
  }

  const handleOf = (bytes, api) => {
    atRunTime(api);
    const offset = native.alloc(bytes);
    return new MemoryHandle(offset, native.length(offset));
  };
  const scalar = (size, write, api) => {
    const buffer = new ArrayBuffer(size);
    write(new DataView(buffer));
    return handleOf(buffer, api);
  };
  // A host function's input goes through Memory.fromString: at build time that is the first call
  // a host-function wrapper (readFile, storageGet, …) makes, and the stack names the wrapper.
  const Memory = {
    fromString: (text) => handleOf(String(text), 'Memory.fromString (a host function input, as readFile, storageGet and the other SDK wrappers make)'),
    fromBuffer: (bytes) => handleOf(bytes, 'Memory.fromBuffer'),
    fromJsonObject: (value) => handleOf(JSON.stringify(value), 'Memory.fromJsonObject'),
    allocUInt32: (i) => scalar(4, (v) => v.setUint32(0, i, true), 'Memory.allocUInt32'),
    allocUInt64: (i) => scalar(8, (v) => v.setBigUint64(0, BigInt(i), true), 'Memory.allocUInt64'),
    allocFloat32: (f) => scalar(4, (v) => v.setFloat32(0, f, true), 'Memory.allocFloat32'),
    allocFloat64: (f) => scalar(8, (v) => v.setFloat64(0, f, true), 'Memory.allocFloat64'),
    find: (offset) => (atRunTime('Memory.find'), new MemoryHandle(offset, native.length(offset))),
  };

  const hostFunctions = {};
  native.hostFunctionNames.forEach((name, index) => {
    hostFunctions[name] = (offset) => {
      atRunTime(name);
      return native.callHost(index, offset);
    };
  });
  Object.freeze(hostFunctions);

  const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const Host = {
    inputBytes: () => (atRunTime('Host.inputBytes'), native.input()),
    inputString: () => (atRunTime('Host.inputString'), native.inputString()),
    outputBytes: (bytes) => (atRunTime('Host.outputBytes'), native.output(bytes)),
    outputString: (text) => (atRunTime('Host.outputString'), native.output(String(text))),
    getFunctions: () => hostFunctions,
    arrayBufferToBase64(buffer) {
      const bytes = new Uint8Array(buffer);
      let out = '';
      for (let i = 0; i < bytes.length; i += 3) {
        const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
        out += BASE64[n >> 18] + BASE64[(n >> 12) & 63];
        out += i + 1 < bytes.length ? BASE64[(n >> 6) & 63] : '=';
        out += i + 2 < bytes.length ? BASE64[n & 63] : '=';
      }
      return out;
    },
    base64ToArrayBuffer(text) {
      const clean = String(text).replace(/=+$/, '');
      const bytes = new Uint8Array(Math.floor((clean.length * 3) / 4));
      let bits = 0;
      let value = 0;
      let o = 0;
      for (const ch of clean) {
        const digit = BASE64.indexOf(ch);
        if (digit < 0) throw new TypeError('invalid base64');
        value = (value << 6) | digit;
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          bytes[o++] = (value >> bits) & 0xff;
        }
      }
      return bytes.buffer.slice(0, o);
    },
  };

  const Var = {
    set: (name, value) => (atRunTime('Var.set'), native.varSet(String(name), value)),
    getBytes: (name) => (atRunTime('Var.getBytes'), native.varGet(String(name))),
    getString(name) {
      atRunTime('Var.getString');
      const bytes = native.varGet(String(name));
      return bytes === null ? null : native.decode(bytes);
    },
  };

  const Config = { get: (key) => (atRunTime('Config.get'), native.config(String(key))) };

  const Http = {
    request(request, body) {
      atRunTime('Http.request');
      const spec = JSON.stringify({ url: request.url, method: request.method ?? 'GET', headers: request.headers ?? {} });
      const [status, bytes] = native.http(spec, body ?? null);
      return { status, body: native.decode(bytes) };
    },
  };

  const format = (args) =>
    args
      .map((a) => {
        if (typeof a === 'string') return a;
        if (a instanceof Error) return a.stack ? `${a}\n${a.stack}` : String(a);
        try {
          return typeof a === 'object' && a !== null ? JSON.stringify(a) : String(a);
        } catch {
          return String(a);
        }
      })
      .join(' ');
  // Extism levels: debug 0, info 1, warn 2, error 3. Top-level code runs at build time: no log.
  const log = (level) => (...args) => {
    if (!building) native.log(level, format(args));
  };
  const console = { log: log(1), info: log(1), debug: log(0), trace: log(0), warn: log(2), error: log(3) };

  class TextEncoder {
    get encoding() {
      return 'utf-8';
    }
    encode(text = '') {
      return new Uint8Array(native.encode(String(text)));
    }
  }
  class TextDecoder {
    constructor(label = 'utf-8') {
      const name = String(label).toLowerCase();
      if (name !== 'utf-8' && name !== 'utf8') throw new RangeError(`TextDecoder supports utf-8 only, not ${label}`);
    }
    get encoding() {
      return 'utf-8';
    }
    decode(input) {
      return input === undefined ? '' : native.decode(input);
    }
  }

  define('MemoryHandle', MemoryHandle);
  define('Memory', Memory);
  define('Host', Host);
  define('Var', Var);
  define('Config', Config);
  define('Http', Http);
  define('console', console);
  define('TextEncoder', TextEncoder);
  define('TextDecoder', TextDecoder);
  Math.random = native.random;
  define('__diaryx_end_build', () => {
    building = false;
    delete globalThis.__diaryx_end_build;
  });
})();

// The Diaryx JavaScript runtime: QuickJS as an Extism guest. The plugin's code is evaluated at
// build time and the whole memory snapshotted (see src/snapshot.ts), so a call only runs the
// export's function. Exports named __diaryx_* serve the build; the build removes them.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <malloc.h>
#include "quickjs.h"

#define ENV(name) __attribute__((import_module("extism:host/env"), import_name(name)))
#define USER(name) __attribute__((import_module("extism:host/user"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

ENV("input_length") uint64_t extism_input_length(void);
ENV("input_load_u8") uint32_t extism_input_load_u8(uint64_t);
ENV("input_load_u64") uint64_t extism_input_load_u64(uint64_t);
ENV("length") uint64_t extism_length(uint64_t);
ENV("alloc") uint64_t extism_alloc(uint64_t);
ENV("free") void extism_free(uint64_t);
ENV("output_set") void extism_output_set(uint64_t, uint64_t);
ENV("error_set") void extism_error_set(uint64_t);
ENV("config_get") uint64_t extism_config_get(uint64_t);
ENV("var_get") uint64_t extism_var_get(uint64_t);
ENV("var_set") void extism_var_set(uint64_t, uint64_t);
ENV("store_u8") void extism_store_u8(uint64_t, uint32_t);
ENV("load_u8") uint32_t extism_load_u8(uint64_t);
ENV("store_u64") void extism_store_u64(uint64_t, uint64_t);
ENV("load_u64") uint64_t extism_load_u64(uint64_t);
ENV("http_request") uint64_t extism_http_request(uint64_t, uint64_t);
ENV("http_status_code") int32_t extism_http_status_code(void);
ENV("log_info") void extism_log_info(uint64_t);
ENV("log_debug") void extism_log_debug(uint64_t);
ENV("log_warn") void extism_log_warn(uint64_t);
ENV("log_error") void extism_log_error(uint64_t);

// The 31 Diaryx host functions, in the order of host-functions.h (generated from
// @diaryx/host-fns by scripts/build-runtime.mjs).
#include "host-functions.h"

static JSRuntime *rt;
static JSContext *ctx;

#define MAX_EXPORTS 32
static JSValue export_fns[MAX_EXPORTS];
static int export_count;

// A message for the build (an evaluation error, the export names).
static char *message;
static size_t message_len;

static void release(void *ptr);

static void set_message(const char *text, size_t len) {
  if (message) release(message);
  message = malloc(len + 1);
  memcpy(message, text, len);
  message[len] = 0;
  message_len = len;
}

// ---- Extism memory ---------------------------------------------------------------------------

static uint64_t extism_copy_in(const uint8_t *bytes, size_t len) {
  uint64_t offset = extism_alloc(len);
  if (offset == 0 && len > 0) return 0;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t word;
    memcpy(&word, bytes + i, 8);
    extism_store_u64(offset + i, word);
  }
  for (; i < len; i++) extism_store_u8(offset + i, bytes[i]);
  return offset;
}

static uint8_t *extism_copy_out(uint64_t offset, size_t *len) {
  *len = (size_t)extism_length(offset);
  uint8_t *bytes = malloc(*len + 1);
  if (!bytes) return NULL;
  size_t i = 0;
  for (; i + 8 <= *len; i += 8) {
    uint64_t word = extism_load_u64(offset + i);
    memcpy(bytes + i, &word, 8);
  }
  for (; i < *len; i++) bytes[i] = (uint8_t)extism_load_u8(offset + i);
  bytes[*len] = 0;
  return bytes;
}

// Bytes of a string (UTF-8), an ArrayBuffer or a typed array. `*owned` says what to free.
static const uint8_t *js_bytes(JSValueConst value, size_t *len, const char **owned_string) {
  *owned_string = NULL;
  if (JS_IsString(value)) {
    const char *text = JS_ToCStringLen(ctx, len, value);
    *owned_string = text;
    return (const uint8_t *)text;
  }
  size_t size;
  uint8_t *buffer = JS_GetArrayBuffer(ctx, &size, value);
  if (buffer) {
    *len = size;
    return buffer;
  }
  JS_FreeValue(ctx, JS_GetException(ctx));
  size_t byte_offset, byte_length, bytes_per_element;
  JSValue backing = JS_GetTypedArrayBuffer(ctx, value, &byte_offset, &byte_length, &bytes_per_element);
  if (JS_IsException(backing)) return NULL;
  buffer = JS_GetArrayBuffer(ctx, &size, backing);
  JS_FreeValue(ctx, backing);
  if (!buffer) return NULL;
  *len = byte_length;
  return buffer + byte_offset;
}

static void js_bytes_free(const char *owned_string) {
  if (owned_string) JS_FreeCString(ctx, owned_string);
}

static int64_t to_offset(JSValueConst value, int *ok) {
  int64_t offset = 0;
  *ok = JS_ToInt64Ext(ctx, &offset, value) == 0;
  return offset;
}

// ---- native functions behind the prelude's globals --------------------------------------------

// The call's input, copied out of Extism memory (malloc'd; NULL when out of memory).
static uint8_t *read_input(size_t *len) {
  *len = (size_t)extism_input_length();
  uint8_t *bytes = malloc(*len + 1);
  if (!bytes) return NULL;
  size_t i = 0;
  for (; i + 8 <= *len; i += 8) {
    uint64_t word = extism_input_load_u64(i);
    memcpy(bytes + i, &word, 8);
  }
  for (; i < *len; i++) bytes[i] = (uint8_t)extism_input_load_u8(i);
  return bytes;
}

static JSValue fn_input(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  size_t len;
  uint8_t *bytes = read_input(&len);
  if (!bytes) return JS_ThrowOutOfMemory(c);
  JSValue result = JS_NewArrayBufferCopy(c, bytes, len);
  free(bytes);
  return result;
}

static JSValue fn_input_string(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  size_t len;
  uint8_t *bytes = read_input(&len);
  if (!bytes) return JS_ThrowOutOfMemory(c);
  JSValue result = JS_NewStringLen(c, (const char *)bytes, len);
  free(bytes);
  return result;
}

// A JS string copied into a new Extism block (0 with a pending exception when not a string).
static uint64_t string_block(JSContext *c, JSValueConst value, int *ok) {
  size_t len;
  const char *text = JS_ToCStringLen(c, &len, value);
  *ok = text != NULL;
  if (!text) return 0;
  uint64_t offset = extism_copy_in((const uint8_t *)text, len);
  JS_FreeCString(c, text);
  return offset;
}

// An Extism block the runtime owns, as a string or an ArrayBuffer; the block is freed.
static JSValue take_block(JSContext *c, uint64_t offset, int as_string) {
  size_t len;
  uint8_t *bytes = extism_copy_out(offset, &len);
  extism_free(offset);
  if (!bytes) return JS_ThrowOutOfMemory(c);
  JSValue result = as_string ? JS_NewStringLen(c, (const char *)bytes, len) : JS_NewArrayBufferCopy(c, bytes, len);
  free(bytes);
  return result;
}

// Copies a string (as UTF-8), an ArrayBuffer or a typed array into a new Extism block.
// Returns 0, or -1 with a pending exception.
static int value_block(JSContext *c, JSValueConst value, const char *what, uint64_t *offset, size_t *len) {
  const char *owned;
  const uint8_t *bytes = js_bytes(value, len, &owned);
  if (!bytes) {
    JS_ThrowTypeError(c, "%s expects a string, an ArrayBuffer or a typed array", what);
    return -1;
  }
  *offset = extism_copy_in(bytes, *len);
  js_bytes_free(owned);
  if (*offset == 0 && *len > 0) {
    JS_ThrowRangeError(c, "Extism could not allocate %zu bytes", *len);
    return -1;
  }
  return 0;
}

// alloc(bytes | string) → offset of a new Extism memory block holding them
static JSValue fn_alloc(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t offset;
  size_t len;
  if (value_block(c, argv[0], "Memory.fromBuffer", &offset, &len)) return JS_EXCEPTION;
  return JS_NewInt64(c, (int64_t)offset);
}

static JSValue fn_output(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t offset;
  size_t len;
  if (value_block(c, argv[0], "Host.outputBytes", &offset, &len)) return JS_EXCEPTION;
  extism_output_set(offset, len);
  return JS_TRUE;
}

// read(offset, asString) → ArrayBuffer or string of an Extism block
static JSValue fn_read(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int ok;
  int64_t offset = to_offset(argv[0], &ok);
  if (!ok) return JS_EXCEPTION;
  if (offset == 0) return JS_ToBool(c, argv[1]) ? JS_NewString(c, "") : JS_NewArrayBufferCopy(c, NULL, 0);
  size_t len;
  uint8_t *bytes = extism_copy_out((uint64_t)offset, &len);
  if (!bytes) return JS_ThrowOutOfMemory(c);
  JSValue result = JS_ToBool(c, argv[1]) ? JS_NewStringLen(c, (const char *)bytes, len) : JS_NewArrayBufferCopy(c, bytes, len);
  free(bytes);
  return result;
}

static JSValue fn_length(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int ok;
  int64_t offset = to_offset(argv[0], &ok);
  if (!ok) return JS_EXCEPTION;
  return JS_NewInt64(c, offset == 0 ? 0 : (int64_t)extism_length((uint64_t)offset));
}

static JSValue fn_free(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int ok;
  int64_t offset = to_offset(argv[0], &ok);
  if (!ok) return JS_EXCEPTION;
  if (offset != 0) extism_free((uint64_t)offset);
  return JS_UNDEFINED;
}

// log(level 0..3 = debug, info, warn, error, text)
static JSValue fn_log(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int32_t level = 1;
  JS_ToInt32(c, &level, argv[0]);
  int ok;
  uint64_t offset = string_block(c, argv[1], &ok);
  if (!ok) return JS_EXCEPTION;
  if (level <= 0) extism_log_debug(offset);
  else if (level == 1) extism_log_info(offset);
  else if (level == 2) extism_log_warn(offset);
  else extism_log_error(offset);
  extism_free(offset);
  return JS_UNDEFINED;
}

// A kernel lookup by name (config_get, var_get): the value's block, or null when absent.
static JSValue lookup(JSContext *c, JSValueConst name, uint64_t (*get)(uint64_t), int as_string) {
  int ok;
  uint64_t key = string_block(c, name, &ok);
  if (!ok) return JS_EXCEPTION;
  uint64_t value = get(key);
  extism_free(key);
  return value == 0 ? JS_NULL : take_block(c, value, as_string);
}

// config(key) → string | null
static JSValue fn_config(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  return lookup(c, argv[0], extism_config_get, 1);
}

// varGet(name) → ArrayBuffer | null
static JSValue fn_var_get(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  return lookup(c, argv[0], extism_var_get, 0);
}

// varSet(name, bytes | string | null)
static JSValue fn_var_set(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int ok;
  uint64_t name_offset = string_block(c, argv[0], &ok);
  if (!ok) return JS_EXCEPTION;
  uint64_t value_offset = 0;
  size_t value_len;
  if (!JS_IsNull(argv[1]) && !JS_IsUndefined(argv[1]) && value_block(c, argv[1], "Var.set", &value_offset, &value_len)) {
    extism_free(name_offset);
    return JS_EXCEPTION;
  }
  extism_var_set(name_offset, value_offset);
  extism_free(name_offset);
  return JS_UNDEFINED;
}

// http(requestJson, body | null) → [status, ArrayBuffer]
static JSValue fn_http(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int ok;
  uint64_t request_offset = string_block(c, argv[0], &ok);
  if (!ok) return JS_EXCEPTION;
  uint64_t body_offset = 0;
  size_t body_len;
  if (!JS_IsNull(argv[1]) && !JS_IsUndefined(argv[1]) && value_block(c, argv[1], "Http.request", &body_offset, &body_len)) {
    extism_free(request_offset);
    return JS_EXCEPTION;
  }
  uint64_t response = extism_http_request(request_offset, body_offset);
  int32_t status = extism_http_status_code();
  size_t response_len = 0;
  uint8_t *bytes = response == 0 ? NULL : extism_copy_out(response, &response_len);
  JSValue pair = JS_NewArray(c);
  JS_SetPropertyUint32(c, pair, 0, JS_NewInt32(c, status));
  JS_SetPropertyUint32(c, pair, 1, JS_NewArrayBufferCopy(c, bytes, response_len));
  free(bytes);
  return pair;
}

// callHost(index, offset) → offset: one of the Diaryx host functions
static JSValue fn_call_host(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int32_t index;
  if (JS_ToInt32(c, &index, argv[0])) return JS_EXCEPTION;
  if (index < 0 || index >= HOST_FUNCTION_COUNT) return JS_ThrowRangeError(c, "no host function %d", index);
  int ok;
  int64_t offset = to_offset(argv[1], &ok);
  if (!ok) return JS_EXCEPTION;
  return JS_NewInt64(c, (int64_t)host_functions[index]((uint64_t)offset));
}

static JSValue fn_random(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t bits = 0;
  getentropy(&bits, sizeof bits);
  return JS_NewFloat64(c, (double)(bits >> 11) * 0x1.0p-53);
}

static JSValue fn_encode(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  size_t len;
  const char *text = JS_ToCStringLen(c, &len, argv[0]);
  if (!text) return JS_EXCEPTION;
  JSValue result = JS_NewArrayBufferCopy(c, (const uint8_t *)text, len);
  JS_FreeCString(c, text);
  return result;
}

static JSValue fn_decode(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  size_t len;
  const char *owned;
  const uint8_t *bytes = js_bytes(argv[0], &len, &owned);
  if (!bytes) return JS_ThrowTypeError(c, "TextDecoder.decode expects an ArrayBuffer or a typed array");
  JSValue result = JS_NewStringLen(c, (const char *)bytes, len);
  js_bytes_free(owned);
  return result;
}

static const JSCFunctionListEntry native_functions[] = {
  JS_CFUNC_DEF("input", 0, fn_input),
  JS_CFUNC_DEF("inputString", 0, fn_input_string),
  JS_CFUNC_DEF("alloc", 1, fn_alloc),
  JS_CFUNC_DEF("output", 1, fn_output),
  JS_CFUNC_DEF("read", 2, fn_read),
  JS_CFUNC_DEF("length", 1, fn_length),
  JS_CFUNC_DEF("free", 1, fn_free),
  JS_CFUNC_DEF("log", 2, fn_log),
  JS_CFUNC_DEF("config", 1, fn_config),
  JS_CFUNC_DEF("varGet", 1, fn_var_get),
  JS_CFUNC_DEF("varSet", 2, fn_var_set),
  JS_CFUNC_DEF("http", 2, fn_http),
  JS_CFUNC_DEF("callHost", 2, fn_call_host),
  JS_CFUNC_DEF("random", 0, fn_random),
  JS_CFUNC_DEF("encode", 1, fn_encode),
  JS_CFUNC_DEF("decode", 1, fn_decode),
};

// ---- errors ---------------------------------------------------------------------------------

// "message\nstack" of a thrown value, as a malloc'd string.
static char *describe(JSValueConst error, size_t *len) {
  const char *text = JS_ToCStringLen(ctx, len, error);
  char *result;
  size_t text_len = text ? *len : 0;
  JSValue stack = JS_IsObject(error) ? JS_GetPropertyStr(ctx, error, "stack") : JS_UNDEFINED;
  size_t stack_len = 0;
  const char *stack_text = JS_IsString(stack) ? JS_ToCStringLen(ctx, &stack_len, stack) : NULL;
  *len = text_len + (stack_text && stack_len ? 1 + stack_len : 0);
  result = malloc(*len + 1);
  if (text) memcpy(result, text, text_len);
  if (stack_text && stack_len) {
    result[text_len] = '\n';
    memcpy(result + text_len + 1, stack_text, stack_len);
  }
  result[*len] = 0;
  if (text) JS_FreeCString(ctx, text);
  if (stack_text) JS_FreeCString(ctx, stack_text);
  JS_FreeValue(ctx, stack);
  return result;
}

static void report(JSValueConst error) {
  size_t len;
  char *text = describe(error, &len);
  extism_error_set(extism_copy_in((const uint8_t *)text, len));
  free(text);
}

static void report_text(const char *text) {
  extism_error_set(extism_copy_in((const uint8_t *)text, strlen(text)));
}

static void drain_jobs(void) {
  JSContext *job_ctx;
  while (JS_ExecutePendingJob(rt, &job_ctx) > 0) {
  }
}

// ---- allocator --------------------------------------------------------------------------------

// QuickJS's default allocator, except that while the plugin is being built freed memory is
// zeroed: garbage left by the parser would otherwise be copied into every snapshot.
static int building = 1;

static void release(void *ptr) {
  if (building) memset(ptr, 0, malloc_usable_size(ptr));
  free(ptr);
}

static void *rt_malloc(JSMallocState *s, size_t size) {
  if (s->malloc_size + size > s->malloc_limit) return NULL;
  void *ptr = malloc(size);
  if (!ptr) return NULL;
  s->malloc_count++;
  s->malloc_size += malloc_usable_size(ptr) + 8;
  return ptr;
}

static void rt_free(JSMallocState *s, void *ptr) {
  if (!ptr) return;
  s->malloc_count--;
  s->malloc_size -= malloc_usable_size(ptr) + 8;
  release(ptr);
}

static void *rt_realloc(JSMallocState *s, void *ptr, size_t size) {
  if (!ptr) return size == 0 ? NULL : rt_malloc(s, size);
  size_t old_size = malloc_usable_size(ptr);
  if (size == 0) {
    rt_free(s, ptr);
    return NULL;
  }
  if (s->malloc_size + size - old_size > s->malloc_limit) return NULL;
  void *moved;
  if (building) {
    moved = malloc(size);
    if (!moved) return NULL;
    memcpy(moved, ptr, old_size < size ? old_size : size);
    release(ptr);
  } else {
    moved = realloc(ptr, size);
    if (!moved) return NULL;
  }
  s->malloc_size += malloc_usable_size(moved) - old_size;
  return moved;
}

static size_t rt_usable_size(const void *ptr) { return malloc_usable_size((void *)ptr); }

static const JSMallocFunctions allocator = { rt_malloc, rt_free, rt_realloc, rt_usable_size };

// ---- build-time exports --------------------------------------------------------------------

EXPORT("__diaryx_init") int32_t diaryx_init(int32_t max_stack_bytes) {
  rt = JS_NewRuntime2(&allocator, NULL);
  if (!rt) return 1;
  // Below the wasm stack (1 MiB): deep recursion becomes a catchable "stack overflow".
  JS_SetMaxStackSize(rt, (size_t)max_stack_bytes);
  // Keep line numbers for stacks, not the source text: it would only grow every snapshot.
  JS_SetStripInfo(rt, JS_STRIP_SOURCE);
  ctx = JS_NewContext(rt);
  if (!ctx) return 1;
  JSValue global = JS_GetGlobalObject(ctx);
  JSValue native = JS_NewObject(ctx);
  JS_SetPropertyFunctionList(ctx, native, native_functions, sizeof native_functions / sizeof native_functions[0]);
  JSValue names = JS_NewArray(ctx);
  for (int i = 0; i < HOST_FUNCTION_COUNT; i++) JS_SetPropertyUint32(ctx, names, i, JS_NewString(ctx, host_function_names[i]));
  JS_SetPropertyStr(ctx, native, "hostFunctionNames", names);
  JS_SetPropertyStr(ctx, global, "__diaryx_native", native);
  JS_FreeValue(ctx, global);
  return 0;
}

EXPORT("__diaryx_alloc") void *diaryx_alloc(int32_t size) { return malloc((size_t)size + 1); }

EXPORT("__diaryx_message") const char *diaryx_message(void) { return message; }
EXPORT("__diaryx_message_length") int32_t diaryx_message_length(void) { return (int32_t)message_len; }

// Evaluates a script (the prelude, then the plugin bundle) and frees it; 0, or 1 with the error
// as message. `source` comes from __diaryx_alloc.
EXPORT("__diaryx_eval") int32_t diaryx_eval(char *source, int32_t len, const char *file) {
  source[len] = 0;
  JSValue result = JS_Eval(ctx, source, (size_t)len, file, JS_EVAL_TYPE_GLOBAL);
  free(source);
  if (JS_IsException(result)) {
    JSValue error = JS_GetException(ctx);
    size_t text_len;
    char *text = describe(error, &text_len);
    set_message(text, text_len);
    free(text);
    JS_FreeValue(ctx, error);
    return 1;
  }
  JS_FreeValue(ctx, result);
  drain_jobs();
  return 0;
}

// Binds the functions of globalThis.__diaryx_plugin as exports; the message lists their names
// one per line. Returns their number, or -1 with the reason as message.
EXPORT("__diaryx_bind_exports") int32_t diaryx_bind_exports(void) {
  JSValue global = JS_GetGlobalObject(ctx);
  JSValue plugin = JS_GetPropertyStr(ctx, global, "__diaryx_plugin");
  JS_FreeValue(ctx, global);
  JSPropertyEnum *props;
  uint32_t count;
  if (!JS_IsObject(plugin) || JS_GetOwnPropertyNames(ctx, &props, &count, plugin, JS_GPN_STRING_MASK | JS_GPN_ENUM_ONLY)) {
    const char *text = "the bundle defines no exports object";
    set_message(text, strlen(text));
    JS_FreeValue(ctx, plugin);
    return -1;
  }
  size_t names_len = 0;
  char *names = malloc(1);
  export_count = 0;
  for (uint32_t i = 0; i < count; i++) {
    JSValue value = JS_GetProperty(ctx, plugin, props[i].atom);
    if (!JS_IsFunction(ctx, value)) {
      JS_FreeValue(ctx, value);
      continue;
    }
    if (export_count == MAX_EXPORTS) {
      const char *text = "a plugin may export at most 32 functions";
      set_message(text, strlen(text));
      JS_FreeValue(ctx, value);
      free(names);
      return -1;
    }
    export_fns[export_count++] = value;
    const char *name = JS_AtomToCString(ctx, props[i].atom);
    size_t name_len = strlen(name);
    names = realloc(names, names_len + name_len + 2);
    memcpy(names + names_len, name, name_len);
    names_len += name_len;
    names[names_len++] = '\n';
    JS_FreeCString(ctx, name);
  }
  for (uint32_t i = 0; i < count; i++) JS_FreeAtom(ctx, props[i].atom);
  js_free(ctx, props);
  JS_FreeValue(ctx, plugin);
  set_message(names, names_len);
  release(names);
  JS_RunGC(rt);
  building = 0;
  return export_count;
}

// ---- run-time exports ----------------------------------------------------------------------

static int32_t run_export(int index) {
  if (index >= export_count) {
    report_text("this export is not bound to a function of the plugin");
    return 1;
  }
  JS_UpdateStackTop(rt);
  JSValue result = JS_Call(ctx, export_fns[index], JS_UNDEFINED, 0, NULL);
  if (JS_IsException(result)) {
    JSValue error = JS_GetException(ctx);
    report(error);
    JS_FreeValue(ctx, error);
    drain_jobs();
    return 1;
  }
  drain_jobs();
  int32_t code = 0;
  // JS_PromiseState answers -1 for a value that is not a Promise.
  int state = (int)JS_PromiseState(ctx, result);
  if (state >= 0) {
    if (state == JS_PROMISE_PENDING) {
      report_text("the export returned a Promise that never settled: this runtime has no event loop (no timers, no fetch)");
      JS_FreeValue(ctx, result);
      return 1;
    }
    JSValue settled = JS_PromiseResult(ctx, result);
    JS_FreeValue(ctx, result);
    if (state == JS_PROMISE_REJECTED) {
      report(settled);
      JS_FreeValue(ctx, settled);
      return 1;
    }
    result = settled;
  }
  if (JS_IsNumber(result)) JS_ToInt32(ctx, &code, result);
  JS_FreeValue(ctx, result);
  return code;
}

// ---- after a trap ---------------------------------------------------------------------------

// Defined by patches/0002-stack-after-a-trap.patch in quickjs.c.
size_t JS_DescribeStackStatic(JSContext *ctx, char *buf, size_t size);

static char where_text[4096];

// The JavaScript stack of the call a trap stopped (the loader's deadline): "    at fn
// (file:line:col)" lines, innermost first, NUL-terminated; "" outside a call. The loader may
// call it on the stopped instance, before replacing it, to say where the plugin was. It reads
// the interpreter's frames and allocates nothing.
EXPORT("__diaryx_where") const char *diaryx_where(void) {
  JS_DescribeStackStatic(ctx, where_text, sizeof where_text);
  return where_text;
}

#define SLOT(n) EXPORT("__diaryx_export_" #n) int32_t diaryx_export_##n(void) { return run_export(n); }
SLOT(0) SLOT(1) SLOT(2) SLOT(3) SLOT(4) SLOT(5) SLOT(6) SLOT(7)
SLOT(8) SLOT(9) SLOT(10) SLOT(11) SLOT(12) SLOT(13) SLOT(14) SLOT(15)
SLOT(16) SLOT(17) SLOT(18) SLOT(19) SLOT(20) SLOT(21) SLOT(22) SLOT(23)
SLOT(24) SLOT(25) SLOT(26) SLOT(27) SLOT(28) SLOT(29) SLOT(30) SLOT(31)

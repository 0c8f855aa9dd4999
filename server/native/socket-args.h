// What the native addons (server/udp/native, server/http/native) share to open their socket: the
// open call's six arguments, the bind address, the socket with its options, errors thrown with
// the errno's name as the code, and the buffers JavaScript hands over. Static functions: each
// addon compiles its own copy.
#ifndef SEEDHOST_SOCKET_ARGS_H
#define SEEDHOST_SOCKET_ARGS_H
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

// (v6: boolean, address: string, port: number, dualStack: boolean, n: number, reusePort: boolean);
// n is the addon's own (the UDP buffer bytes, the TCP backlog)
typedef struct {
  bool v6, dual, reuse;
  char host[64];
  uint32_t port, n;
  struct sockaddr_storage addr;
  socklen_t addr_len;
} socket_args_t;

static napi_value throw_errno_as(napi_env env, const char* what, int err, const char* fallback) {
  char msg[160];
  const char* code = err == EADDRINUSE ? "EADDRINUSE" : err == EACCES ? "EACCES" : err == EADDRNOTAVAIL ? "EADDRNOTAVAIL" : err == EAFNOSUPPORT ? "EAFNOSUPPORT" : fallback;
  snprintf(msg, sizeof msg, "%s %s", what, strerror(err));
  napi_throw_error(env, code, msg);
  return NULL;
}

// the six arguments into `s`, the bind address made; false (an exception pending) when they are not
static bool read_socket_args(napi_env env, napi_callback_info info, socket_args_t* s, const char* fallback) {
  size_t argc = 6, hostLen;
  napi_value argv[6];
  memset(s, 0, sizeof *s);
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || napi_get_value_bool(env, argv[0], &s->v6) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], s->host, sizeof s->host, &hostLen) != napi_ok || napi_get_value_uint32(env, argv[2], &s->port) != napi_ok ||
      napi_get_value_bool(env, argv[3], &s->dual) != napi_ok || napi_get_value_uint32(env, argv[4], &s->n) != napi_ok ||
      napi_get_value_bool(env, argv[5], &s->reuse) != napi_ok) {
    napi_throw_type_error(env, NULL, "open(v6, address, port, dualStack, n, reusePort): bad arguments");
    return false;
  }
  if (s->v6) {
    struct sockaddr_in6* a = (struct sockaddr_in6*)&s->addr;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)s->port);
    s->addr_len = sizeof *a;
    if (inet_pton(AF_INET6, s->host, &a->sin6_addr) == 1) return true;
  } else {
    struct sockaddr_in* a = (struct sockaddr_in*)&s->addr;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)s->port);
    s->addr_len = sizeof *a;
    if (inet_pton(AF_INET, s->host, &a->sin_addr) == 1) return true;
  }
  throw_errno_as(env, s->v6 ? "bind: not an IPv6 address:" : "bind: not an IPv4 address:", EINVAL, fallback);
  return false;
}

// a non-blocking socket of `type` for `s`: IPV6_V6ONLY as asked, SO_REUSEPORT when asked; -1 (an
// exception pending) when it cannot be made
static int open_socket(napi_env env, const socket_args_t* s, int type, const char* fallback) {
  int fd = socket(s->v6 ? AF_INET6 : AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_errno_as(env, "socket", errno, fallback);
    return -1;
  }
  if (s->v6) {
    int only = s->dual ? 0 : 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only);
  }
  int one = 1;
  if (s->reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    int e = errno;
    close(fd);
    throw_errno_as(env, "setsockopt SO_REUSEPORT", e, fallback);
    return -1;
  }
  return fd;
}

// the port `fd` is bound to
static uint16_t bound_port(int fd) {
  struct sockaddr_storage bound;
  socklen_t blen = sizeof bound;
  memset(&bound, 0, sizeof bound);
  getsockname(fd, (struct sockaddr*)&bound, &blen);
  return ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6*)&bound)->sin6_port : ((struct sockaddr_in*)&bound)->sin_port);
}

// whether `v` is a Buffer of at least `want` bytes (its bytes in *data)
static int buffer_of(napi_env env, napi_value v, size_t want, void** data) {
  size_t len = 0;
  bool is;
  if (napi_is_buffer(env, v, &is) != napi_ok || !is) return 0;
  if (napi_get_buffer_info(env, v, data, &len) != napi_ok) return 0;
  return len >= want;
}

// [handle, port], the handle an external pointing at `p`
static napi_value handle_and_port(napi_env env, void* p, uint16_t port) {
  napi_value handle, result, portValue;
  if (napi_create_external(env, p, NULL, NULL, &handle) != napi_ok || napi_create_array_with_length(env, 2, &result) != napi_ok ||
      napi_create_uint32(env, port, &portValue) != napi_ok || napi_set_element(env, result, 0, handle) != napi_ok ||
      napi_set_element(env, result, 1, portValue) != napi_ok) {
    napi_throw_error(env, NULL, "N-API call failed");
    return NULL;
  }
  return result;
}
#endif

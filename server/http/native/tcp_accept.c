// The HTTP port's accept loop (Linux): one wake-up accepts up to BATCH connections, reads each
// one's first bytes, and makes one call into JavaScript for all of them. A plain tracker request
// that asks to close (one connection per request, what direct clients do) is answered from those
// bytes and the socket closed with `finish`, without a Node socket, a stream or an event listener;
// anything else becomes a Node socket (`new net.Socket({ fd })`) with its bytes, as Node's own
// accept would have made it (native-front.ts is the JavaScript side).
//
// A connection whose request has not arrived when it is accepted waits in a private epoll set
// (one epoll_ctl, no Node handle) until it is readable, then is read and handed to JavaScript the
// same way; JavaScript times out the silent ones (`closeFd`).
//
// Layout shared with native-front.ts (the numbers are exported as constants):
//   in:    BATCH slots of SLOT bytes, connection i's first bytes at i * SLOT
//   meta:  BATCH records of META bytes: [0..3] fd (int32 LE), [4..7] bytes read (int32 LE; -1 none
//          yet, the connection waits; -2 read error or end before any byte), [8..9] port
//          (uint16 LE), [10] family (4 or 6, the socket's: an IPv4 client of a dual-stack socket is
//          6, an IPv4-mapped address, as Node gives it), [11] 1 when the connection had waited,
//          [12..27] the address (4 or 16 bytes)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "../../native/socket-args.h"

#define BATCH 32
#define SLOT 8192
#define META 28
// accepting pauses this long when no descriptor is left (EMFILE): the listening socket stays
// readable, and a level-triggered poll would spin on it; the kernel queues new connections meanwhile
#define PAUSE_MS 100

typedef struct {
  uv_poll_t poll;   // the listening socket
  uv_poll_t wpoll;  // the private epoll set of connections waiting for their first bytes
  uv_timer_t pause; // restarts accepting after the process ran out of descriptors
  int open_handles;
  napi_env env;
  int fd;
  int ep;
  int closing;
  int started;
  napi_ref on_batch, resource, bufs[2];
  napi_async_context async;
  uint8_t *in, *meta;
  double accepted, waited, paused;
} front_t;

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "tcp_accept: N-API call failed");   \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

static napi_value throw_errno(napi_env env, const char* what, int err) {
  return throw_errno_as(env, what, err, "ETCPACCEPT");
}

static napi_value args(napi_env env, napi_callback_info info, size_t n, napi_value* argv) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  return argv[0];
}

static front_t* front_of(napi_env env, napi_value v) {
  void* p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "tcp_accept: not a listener handle");
    return NULL;
  }
  return (front_t*)p;
}

static void put32(uint8_t* m, int32_t v) {
  uint32_t u = (uint32_t)v;
  m[0] = u & 0xff; m[1] = (u >> 8) & 0xff; m[2] = (u >> 16) & 0xff; m[3] = u >> 24;
}

static void write_address(uint8_t* m, const struct sockaddr_storage* a) {
  if (a->ss_family == AF_INET) {
    const struct sockaddr_in* s = (const struct sockaddr_in*)a;
    uint16_t port = ntohs(s->sin_port);
    m[8] = port & 0xff; m[9] = port >> 8; m[10] = 4;
    memcpy(m + 12, &s->sin_addr, 4);
  } else {
    const struct sockaddr_in6* s = (const struct sockaddr_in6*)a;
    uint16_t port = ntohs(s->sin6_port);
    m[8] = port & 0xff; m[9] = port >> 8; m[10] = 6;
    memcpy(m + 12, &s->sin6_addr, 16);
  }
}

// connection i's first bytes into its slot: > 0 bytes, -1 none yet, -2 error or end
static int32_t first_read(front_t* f, int fd, int i) {
  ssize_t r;
  do r = recv(fd, f->in + (size_t)i * SLOT, SLOT, MSG_DONTWAIT);
  while (r < 0 && errno == EINTR);
  if (r > 0) return (int32_t)r;
  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return -1;
  return -2;
}

static void call_js(front_t* f, int n) {
  napi_env env = f->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, res, argv[1];
  if (napi_get_reference_value(env, f->on_batch, &cb) == napi_ok && napi_get_reference_value(env, f->resource, &res) == napi_ok &&
      napi_create_uint32(env, (uint32_t)n, &argv[0]) == napi_ok) {
    napi_value result;
    if (napi_make_callback(env, f->async, res, cb, 1, argv, &result) == napi_pending_exception) {
      napi_value e;
      if (napi_get_and_clear_last_exception(env, &e) == napi_ok) napi_fatal_exception(env, e);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_acceptable(uv_poll_t* p, int status, int events);

static void on_pause_end(uv_timer_t* t) {
  front_t* f = (front_t*)t->data;
  if (!f->closing) uv_poll_start(&f->poll, UV_READABLE, on_acceptable);
}

// one batch per wake-up (the poll is level-triggered: the rest wait one loop turn, in which
// timers and the other sockets get theirs)
static void on_acceptable(uv_poll_t* p, int status, int events) {
  front_t* f = (front_t*)p->data;
  if (status < 0 || f->closing) return;
  int n = 0;
  while (n < BATCH) {
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    int c = accept4(f->fd, (struct sockaddr*)&a, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        f->paused += 1;
        uv_poll_stop(&f->poll);
        uv_timer_start(&f->pause, on_pause_end, PAUSE_MS, 0);
      }
      break;  // EAGAIN: none left
    }
    uint8_t* m = f->meta + (size_t)n * META;
    memset(m, 0, META);
    put32(m, c);
    write_address(m, &a);
    put32(m + 4, first_read(f, c, n));
    n++;
  }
  if (n == 0) return;
  f->accepted += n;
  call_js(f, n);
}

static void on_waited(uv_poll_t* p, int status, int events) {
  front_t* f = (front_t*)p->data;
  if (status < 0 || f->closing) return;
  struct epoll_event ev[BATCH];
  int k = epoll_wait(f->ep, ev, BATCH, 0);
  if (k <= 0) return;
  for (int i = 0; i < k; i++) {
    int c = ev[i].data.fd;
    // out of the set: from here the connection is JavaScript's again
    epoll_ctl(f->ep, EPOLL_CTL_DEL, c, NULL);
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    uint8_t* m = f->meta + (size_t)i * META;
    memset(m, 0, META);
    put32(m, c);
    if (getpeername(c, (struct sockaddr*)&a, &alen) == 0) write_address(m, &a);
    int32_t r = first_read(f, c, i);
    put32(m + 4, r == -1 ? -2 : r);  // readable, yet nothing to read: an error, or a reset
    m[11] = 1;
  }
  f->waited += k;
  call_js(f, k);
}

// listen(v6, address, port, dualStack, backlog, reusePort) -> [handle, port]
static napi_value Listen(napi_env env, napi_callback_info info) {
  socket_args_t a;
  if (!read_socket_args(env, info, &a, "ETCPACCEPT")) return NULL;
  int fd = open_socket(env, &a, SOCK_STREAM, "ETCPACCEPT");
  if (fd < 0) return NULL;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as libuv's bind does
  if (bind(fd, (struct sockaddr*)&a.addr, a.addr_len) != 0 || listen(fd, (int)a.n) != 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "listen", e);
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "epoll_create1", e);
  }
  front_t* f = (front_t*)calloc(1, sizeof(front_t));
  if (f == NULL) {
    close(fd);
    close(ep);
    return throw_errno(env, "calloc", ENOMEM);
  }
  f->env = env;
  f->fd = fd;
  f->ep = ep;
  return handle_and_port(env, f, bound_port(fd));
}

// start(handle, in, meta, onBatch(count)): accepts from now on
static napi_value Start(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  front_t* f = front_of(env, args(env, info, 4, argv));
  if (f == NULL) return NULL;
  if (f->started || f->closing) {
    napi_throw_error(env, NULL, "tcp_accept: listener already started or closed");
    return NULL;
  }
  void *in, *meta;
  if (!buffer_of(env, argv[1], (size_t)BATCH * SLOT, &in) || !buffer_of(env, argv[2], (size_t)BATCH * META, &meta)) {
    napi_throw_type_error(env, NULL, "tcp_accept: buffers too small");
    return NULL;
  }
  for (int i = 0; i < 2; i++) CHECK(napi_create_reference(env, argv[1 + i], 1, &f->bufs[i]));
  CHECK(napi_create_reference(env, argv[3], 1, &f->on_batch));
  napi_value resource, name;
  CHECK(napi_create_object(env, &resource));
  CHECK(napi_create_reference(env, resource, 1, &f->resource));
  CHECK(napi_create_string_utf8(env, "TCPACCEPT", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, resource, name, &f->async));
  f->in = in;
  f->meta = meta;
  uv_loop_t* loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  if (uv_poll_init(loop, &f->poll, f->fd) != 0 || uv_poll_init(loop, &f->wpoll, f->ep) != 0 || uv_timer_init(loop, &f->pause) != 0) {
    napi_throw_error(env, NULL, "tcp_accept: uv_poll_init failed");
    return NULL;
  }
  f->poll.data = f;
  f->wpoll.data = f;
  f->pause.data = f;
  uv_unref((uv_handle_t*)&f->pause);
  f->open_handles = 3;
  f->started = 1;
  uv_poll_start(&f->poll, UV_READABLE, on_acceptable);
  uv_poll_start(&f->wpoll, UV_READABLE, on_waited);
  return NULL;
}

// wait(handle, fd) -> whether the connection now waits in the set for its first bytes
static napi_value Wait(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  front_t* f = front_of(env, args(env, info, 2, argv));
  if (f == NULL) return NULL;
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[1], &fd));
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.fd = fd;
  napi_value ok;
  CHECK(napi_get_boolean(env, !f->closing && epoll_ctl(f->ep, EPOLL_CTL_ADD, fd, &ev) == 0, &ok));
  return ok;
}

// finish(fd, buffer, length) -> -1 when the reply was sent whole and the socket closed (nothing
// unread was left, so the close is a FIN after the reply, not a reset); -2 when the peer is gone
// (the socket closed); otherwise the bytes written so far, the socket left open to the caller
static napi_value Finish(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  size_t argc = 3;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  uint32_t want;
  void* data;
  size_t len;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_buffer_info(env, argv[1], &data, &len));
  CHECK(napi_get_value_uint32(env, argv[2], &want));
  if (want > len) want = (uint32_t)len;
  size_t off = 0;
  int32_t result;
  while (off < want) {
    ssize_t r = send(fd, (uint8_t*)data + off, want - off, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (r > 0) {
      off += (size_t)r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  if (off < want && errno != EAGAIN && errno != EWOULDBLOCK) {
    close(fd);
    result = -2;
  } else if (off < want) {
    result = (int32_t)off;
  } else {
    int unread = 0;
    if (ioctl(fd, FIONREAD, &unread) == 0 && unread == 0) {
      close(fd);
      result = -1;
    } else {
      result = (int32_t)off;
    }
  }
  napi_value v;
  CHECK(napi_create_int32(env, result, &v));
  return v;
}

// closeFd(fd): a connection that is no Node socket's, closed (and so out of the waiting set)
static napi_value CloseFd(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  if (fd >= 0) close(fd);
  return NULL;
}

// counts(handle) -> [accepted, waited, paused]: connections accepted, those that waited for their
// bytes, and the pauses for want of a descriptor
static napi_value Counts(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  front_t* f = front_of(env, args(env, info, 1, argv));
  if (f == NULL) return NULL;
  napi_value result, a, w, z;
  CHECK(napi_create_array_with_length(env, 3, &result));
  CHECK(napi_create_double(env, f->accepted, &a));
  CHECK(napi_create_double(env, f->waited, &w));
  CHECK(napi_create_double(env, f->paused, &z));
  CHECK(napi_set_element(env, result, 0, a));
  CHECK(napi_set_element(env, result, 1, w));
  CHECK(napi_set_element(env, result, 2, z));
  return result;
}

static void on_closed(uv_handle_t* h) {
  front_t* f = (front_t*)h->data;
  if (h == (uv_handle_t*)&f->poll) {
    close(f->fd);
    f->fd = -1;
  } else if (h == (uv_handle_t*)&f->wpoll) {
    close(f->ep);
    f->ep = -1;
  }
  if (--f->open_handles == 0) free(f);
}

// close(handle): stops accepting and closes the listening socket (the waiting connections are
// JavaScript's to close)
static napi_value Close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  front_t* f = front_of(env, args(env, info, 1, argv));
  if (f == NULL || f->closing) return NULL;
  f->closing = 1;
  if (!f->started) {
    close(f->fd);
    close(f->ep);
    return NULL;  // the handle keeps pointing at the (closed) struct: it is small and freed with the process
  }
  uv_poll_stop(&f->poll);
  uv_poll_stop(&f->wpoll);
  for (int i = 0; i < 2; i++) napi_delete_reference(env, f->bufs[i]);
  napi_delete_reference(env, f->on_batch);
  napi_delete_reference(env, f->resource);
  napi_async_destroy(env, f->async);
  uv_timer_stop(&f->pause);
  uv_close((uv_handle_t*)&f->poll, on_closed);
  uv_close((uv_handle_t*)&f->wpoll, on_closed);
  uv_close((uv_handle_t*)&f->pause, on_closed);
  return NULL;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"listen", NULL, Listen, NULL, NULL, NULL, napi_default, NULL},
    {"start", NULL, Start, NULL, NULL, NULL, napi_default, NULL},
    {"wait", NULL, Wait, NULL, NULL, NULL, napi_default, NULL},
    {"finish", NULL, Finish, NULL, NULL, NULL, napi_default, NULL},
    {"closeFd", NULL, CloseFd, NULL, NULL, NULL, napi_default, NULL},
    {"counts", NULL, Counts, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, Close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_value v;
  const char* names[] = {"BATCH", "SLOT", "META"};
  const uint32_t values[] = {BATCH, SLOT, META};
  for (int i = 0; i < 3; i++) {
    napi_create_uint32(env, values[i], &v);
    napi_set_named_property(env, exports, names[i], v);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

// Datagrams in and out in batches for the BEP 15 tracker (Linux): one recvmmsg reads up to BATCH
// datagrams into a buffer the JavaScript side owns, one call into JavaScript answers them all, and
// one sendmmsg sends the replies it left in the reply buffer. Node's dgram pays, per datagram, a
// 64 KiB malloc, an ArrayBuffer, an rinfo object with an address string, a send request and two
// system calls; here a batch pays one of each (udp-batch-socket.ts is the JavaScript side).
//
// Layout shared with udp-batch-socket.ts (the numbers are exported as constants):
//   in:    BATCH slots of SLOT bytes, datagram i at i * SLOT
//   meta:  BATCH records of META bytes: [0..3] payload length (uint32 LE), [4..5] port (uint16 LE),
//          [6] family (4 or 6; an IPv4-mapped sender of a dual-stack socket is 4), [7] 0,
//          [8..] the address (4 or 16 bytes), [24..27] an IPv6 sender's scope id (uint32 LE; a
//          link-local sender's interface, for a reply sent later)
//   out:   BATCH slots of REPLY_SLOT bytes, reply i at i * REPLY_SLOT
//   lens:  Uint32Array(BATCH), reply i's length (0: no reply), set by JavaScript
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "../../native/socket-args.h"

#define BATCH 64
#define SLOT 65536
#define REPLY_SLOT 2048
#define META 28

typedef struct {
  uv_poll_t poll;
  napi_env env;
  int fd;
  int v6;
  int closing;
  int started;
  napi_ref on_batch, resource, bufs[4];
  napi_async_context async;
  uint8_t *in, *meta, *out;
  uint32_t *lens;
  struct mmsghdr rmsg[BATCH];
  struct iovec riov[BATCH];
  struct sockaddr_storage raddr[BATCH];
  struct mmsghdr smsg[BATCH];
  struct iovec siov[BATCH];
  double dropped;
} udp_t;

#define CHECK(call)                                                  \
  do {                                                               \
    if ((call) != napi_ok) {                                         \
      napi_throw_error(env, NULL, "udp_batch: N-API call failed");   \
      return NULL;                                                   \
    }                                                                \
  } while (0)

static napi_value throw_errno(napi_env env, const char* what, int err) {
  return throw_errno_as(env, what, err, "EUDPBATCH");
}

static udp_t* handle_of(napi_env env, napi_value v) {
  void* p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "udp_batch: not a socket handle");
    return NULL;
  }
  return (udp_t*)p;
}

// the call's arguments into argv (n of them; missing ones undefined) and the socket handle in argv[0]
static udp_t* socket_args(napi_env env, napi_callback_info info, size_t n, napi_value* argv) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    napi_throw_error(env, NULL, "udp_batch: N-API call failed");
    return NULL;
  }
  return handle_of(env, argv[0]);
}

// the sender's address into meta record i (an IPv4-mapped IPv6 address as IPv4)
static void write_meta(uint8_t* m, const struct sockaddr_storage* a, uint32_t len) {
  memset(m, 0, META);
  m[0] = len & 0xff; m[1] = (len >> 8) & 0xff; m[2] = (len >> 16) & 0xff; m[3] = len >> 24;
  if (a->ss_family == AF_INET) {
    const struct sockaddr_in* s = (const struct sockaddr_in*)a;
    uint16_t port = ntohs(s->sin_port);
    m[4] = port & 0xff; m[5] = port >> 8; m[6] = 4;
    memcpy(m + 8, &s->sin_addr, 4);
  } else {
    const struct sockaddr_in6* s = (const struct sockaddr_in6*)a;
    uint16_t port = ntohs(s->sin6_port);
    m[4] = port & 0xff; m[5] = port >> 8;
    if (IN6_IS_ADDR_V4MAPPED(&s->sin6_addr)) {
      m[6] = 4;
      memcpy(m + 8, (const uint8_t*)&s->sin6_addr + 12, 4);
    } else {
      m[6] = 6;
      memcpy(m + 8, &s->sin6_addr, 16);
      uint32_t scope = s->sin6_scope_id;
      m[24] = scope & 0xff; m[25] = (scope >> 8) & 0xff; m[26] = (scope >> 16) & 0xff; m[27] = scope >> 24;
    }
  }
}

// meta record m as a socket address for this socket's family; 0 when it cannot be sent from here
static socklen_t read_meta(const udp_t* u, const uint8_t* m, struct sockaddr_storage* a) {
  uint16_t port = (uint16_t)(m[4] | (m[5] << 8));
  memset(a, 0, sizeof *a);
  if (u->v6) {
    struct sockaddr_in6* s = (struct sockaddr_in6*)a;
    s->sin6_family = AF_INET6;
    s->sin6_port = htons(port);
    if (m[6] == 4) {
      uint8_t* b = (uint8_t*)&s->sin6_addr;
      b[10] = b[11] = 0xff;
      memcpy(b + 12, m + 8, 4);
    } else {
      memcpy(&s->sin6_addr, m + 8, 16);
      s->sin6_scope_id = (uint32_t)m[24] | ((uint32_t)m[25] << 8) | ((uint32_t)m[26] << 16) | ((uint32_t)m[27] << 24);
    }
    return sizeof *s;
  }
  if (m[6] != 4) return 0;
  struct sockaddr_in* s = (struct sockaddr_in*)a;
  s->sin_family = AF_INET;
  s->sin_port = htons(port);
  memcpy(&s->sin_addr, m + 8, 4);
  return sizeof *s;
}

static void send_replies(udp_t* u, int n) {
  int k = 0;
  for (int i = 0; i < n; i++) {
    uint32_t len = u->lens[i];
    if (len == 0 || len > REPLY_SLOT) continue;
    u->siov[k].iov_base = u->out + (size_t)i * REPLY_SLOT;
    u->siov[k].iov_len = len;
    struct msghdr* h = &u->smsg[k].msg_hdr;
    memset(h, 0, sizeof *h);
    h->msg_name = &u->raddr[i];
    h->msg_namelen = u->rmsg[i].msg_hdr.msg_namelen;
    h->msg_iov = &u->siov[k];
    h->msg_iovlen = 1;
    k++;
  }
  int off = 0;
  while (off < k) {
    int r = sendmmsg(u->fd, u->smsg + off, (unsigned)(k - off), MSG_DONTWAIT);
    if (r > 0) {
      off += r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
      // the send buffer is full: UDP drops, the clients ask again
      u->dropped += k - off;
      return;
    } else {
      // this datagram cannot go (an address the kernel refuses): skip it, send the rest
      u->dropped += 1;
      off += 1;
    }
  }
}

static void call_js(udp_t* u, int n) {
  napi_env env = u->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, res, argv[1];
  if (napi_get_reference_value(env, u->on_batch, &cb) == napi_ok && napi_get_reference_value(env, u->resource, &res) == napi_ok &&
      napi_create_uint32(env, (uint32_t)n, &argv[0]) == napi_ok) {
    napi_value result;
    if (napi_make_callback(env, u->async, res, cb, 1, argv, &result) == napi_pending_exception) {
      napi_value e;
      if (napi_get_and_clear_last_exception(env, &e) == napi_ok) napi_fatal_exception(env, e);
    }
  }
  napi_close_handle_scope(env, scope);
}

// one batch per wake-up: the poll is level-triggered, so what is left waits one loop turn, in
// which timers and the other sockets (HTTP announces) get their turn
static void on_readable(uv_poll_t* p, int status, int events) {
  udp_t* u = (udp_t*)p->data;
  if (status < 0 || u->closing) return;
  for (int i = 0; i < BATCH; i++) {
    struct msghdr* h = &u->rmsg[i].msg_hdr;
    u->riov[i].iov_base = u->in + (size_t)i * SLOT;
    u->riov[i].iov_len = SLOT;
    h->msg_name = &u->raddr[i];
    h->msg_namelen = sizeof u->raddr[i];
    h->msg_iov = &u->riov[i];
    h->msg_iovlen = 1;
    h->msg_control = NULL;
    h->msg_controllen = 0;
    h->msg_flags = 0;
  }
  int n = recvmmsg(u->fd, u->rmsg, BATCH, MSG_DONTWAIT, NULL);
  if (n <= 0) return;  // nothing now (EAGAIN), or an error the socket reported: read again on the next wake-up
  for (int i = 0; i < n; i++) {
    write_meta(u->meta + (size_t)i * META, &u->raddr[i], u->rmsg[i].msg_len);
    u->lens[i] = 0;
  }
  call_js(u, n);
  if (u->closing) return;
  send_replies(u, n);
}

// open(v6: boolean, address: string, port: number, dualStack: boolean, bufferBytes: number,
//      reusePort: boolean) -> [handle, port]; reusePort: SO_REUSEPORT, for the processes of one
// cluster (each its own socket on the port, the kernel spreading senders over them)
static napi_value Open(napi_env env, napi_callback_info info) {
  socket_args_t a;
  if (!read_socket_args(env, info, &a, "EUDPBATCH")) return NULL;
  int fd = open_socket(env, &a, SOCK_DGRAM, "EUDPBATCH");
  if (fd < 0) return NULL;
  int b = (int)a.n;
  // the kernel's limit (net.core.rmem_max / wmem_max) stands where it is lower
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &b, sizeof b);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &b, sizeof b);
  if (bind(fd, (struct sockaddr*)&a.addr, a.addr_len) != 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "bind", e);
  }
  udp_t* u = (udp_t*)calloc(1, sizeof(udp_t));
  if (u == NULL) {
    close(fd);
    return throw_errno(env, "calloc", ENOMEM);
  }
  u->env = env;
  u->fd = fd;
  u->v6 = a.v6;
  return handle_and_port(env, u, bound_port(fd));
}

// start(handle, in, meta, out, lens, onBatch(count)): reads from now on
static napi_value Start(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  udp_t* u = socket_args(env, info, 6, argv);
  if (u == NULL) return NULL;
  if (u->started || u->closing) {
    napi_throw_error(env, NULL, "udp_batch: socket already started or closed");
    return NULL;
  }
  void *in, *meta, *out, *lens;
  size_t lensLen;
  napi_typedarray_type t;
  if (!buffer_of(env, argv[1], (size_t)BATCH * SLOT, &in) || !buffer_of(env, argv[2], (size_t)BATCH * META, &meta) ||
      !buffer_of(env, argv[3], (size_t)BATCH * REPLY_SLOT, &out) ||
      napi_get_typedarray_info(env, argv[4], &t, &lensLen, &lens, NULL, NULL) != napi_ok || t != napi_uint32_array || lensLen < BATCH) {
    napi_throw_type_error(env, NULL, "udp_batch: buffers too small");
    return NULL;
  }
  for (int i = 0; i < 4; i++) CHECK(napi_create_reference(env, argv[1 + i], 1, &u->bufs[i]));
  CHECK(napi_create_reference(env, argv[5], 1, &u->on_batch));
  napi_value resource, name;
  CHECK(napi_create_object(env, &resource));
  CHECK(napi_create_reference(env, resource, 1, &u->resource));
  CHECK(napi_create_string_utf8(env, "UDPBATCH", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, resource, name, &u->async));
  u->in = in;
  u->meta = meta;
  u->out = out;
  u->lens = lens;
  uv_loop_t* loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  if (uv_poll_init(loop, &u->poll, u->fd) != 0) {
    napi_throw_error(env, NULL, "udp_batch: uv_poll_init failed");
    return NULL;
  }
  u->poll.data = u;
  u->started = 1;
  uv_poll_start(&u->poll, UV_READABLE, on_readable);
  return NULL;
}

// sendTo(handle, buffer, meta, metaOffset) -> whether the kernel took it (a reply that came later
// than its batch: an asynchronous store's)
static napi_value SendTo(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  udp_t* u = socket_args(env, info, 4, argv);
  if (u == NULL) return NULL;
  void *data, *meta;
  size_t len, metaLen;
  uint32_t at;
  CHECK(napi_get_buffer_info(env, argv[1], &data, &len));
  CHECK(napi_get_buffer_info(env, argv[2], &meta, &metaLen));
  CHECK(napi_get_value_uint32(env, argv[3], &at));
  napi_value ok;
  if (u->closing || (size_t)at + META > metaLen) {
    CHECK(napi_get_boolean(env, false, &ok));
    return ok;
  }
  struct sockaddr_storage a;
  socklen_t alen = read_meta(u, (uint8_t*)meta + at, &a);
  ssize_t r = -1;
  if (alen > 0) {
    do r = sendto(u->fd, data, len, MSG_DONTWAIT, (struct sockaddr*)&a, alen);
    while (r < 0 && errno == EINTR);
  }
  if (r < 0) u->dropped += 1;
  CHECK(napi_get_boolean(env, r >= 0, &ok));
  return ok;
}

// dropped(handle) -> replies the kernel did not take (a full send buffer, or an address it refused)
static napi_value Dropped(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  udp_t* u = socket_args(env, info, 1, argv);
  if (u == NULL) return NULL;
  napi_value v;
  CHECK(napi_create_double(env, u->dropped, &v));
  return v;
}

static void on_closed(uv_handle_t* h) {
  udp_t* u = (udp_t*)h->data;
  close(u->fd);
  free(u);
}

// close(handle): stops reading and frees the socket (on the next loop turn)
static napi_value Close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  udp_t* u = socket_args(env, info, 1, argv);
  if (u == NULL || u->closing) return NULL;
  u->closing = 1;
  if (!u->started) {
    close(u->fd);
    u->fd = -1;
    return NULL;  // the handle keeps pointing at the (closed) struct: it is small and freed with the process
  }
  uv_poll_stop(&u->poll);
  for (int i = 0; i < 4; i++) napi_delete_reference(env, u->bufs[i]);
  napi_delete_reference(env, u->on_batch);
  napi_delete_reference(env, u->resource);
  napi_async_destroy(env, u->async);
  uv_close((uv_handle_t*)&u->poll, on_closed);
  return NULL;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"open", NULL, Open, NULL, NULL, NULL, napi_default, NULL},
    {"start", NULL, Start, NULL, NULL, NULL, napi_default, NULL},
    {"sendTo", NULL, SendTo, NULL, NULL, NULL, napi_default, NULL},
    {"dropped", NULL, Dropped, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, Close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_value v;
  const char* names[] = {"BATCH", "SLOT", "REPLY_SLOT", "META"};
  const uint32_t values[] = {BATCH, SLOT, REPLY_SLOT, META};
  for (int i = 0; i < 4; i++) {
    napi_create_uint32(env, values[i], &v);
    napi_set_named_property(env, exports, names[i], v);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

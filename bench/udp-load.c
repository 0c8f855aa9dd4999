// bench:udp's load generator: BEP 15 announces over UDP, compiled at bench time (gcc -O2 -pthread).
// Each thread owns SOCKETS/THREADS sockets; each socket connects (BEP 15 handshake), keeps its
// connection id for ID_AGE s as clients do (then, or after an error reply, it connects again) and
// keeps WINDOW announces in flight. Announces pick a random torrent of the pool, a random peer id,
// port and key, left=0 for SEEDERS of them. Every reply is checked (action, transaction id,
// interval, peer list length); latencies go into a 1 us histogram. One JSON line on stdout.
//   udp-load HOST PORT POOL_FILE SECONDS [SOCKETS=8] [WINDOW=16] [THREADS=1]
// Env: SEEDERS=0.3 NUMWANT=50 STARTED=0.1 ID_AGE=60 TIMEOUT_MS=1000 SEED=1
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_WINDOW 256
#define HIST_US 200000 /* 1 us buckets up to 200 ms; slower replies go to the last bucket */
#define BATCH 32

static struct sockaddr_in target;
static uint8_t (*pool)[20];
static int pool_n;
static double seeders = 0.3, started = 0.1, duration;
static int numwant = 50, id_age_s = 60, timeout_ms = 1000, window_n = 16;
static uint64_t base_seed = 1;

typedef struct { uint32_t tx; int64_t sent_ns; int busy; } slot_t;
typedef struct {
  int fd; uint8_t cid[8]; int have_cid; int connecting; int64_t cid_at_ns, connect_sent_ns; uint32_t connect_tx;
  slot_t slots[MAX_WINDOW]; int inflight; uint32_t gen;
} sock_t;
typedef struct {
  int id, nsock; sock_t *socks; uint64_t rng;
  uint64_t sent, ok, errors, invalid, timeouts, connects, reconnects, peers, send_fail;
  uint32_t *hist; char err_sample[128], bad_sample[128];
} thr_t;

static int64_t now_ns(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }
static uint64_t rnd(uint64_t *s) { uint64_t x = *s; x ^= x << 13; x ^= x >> 7; x ^= x << 17; return *s = x; }
static double rndf(uint64_t *s) { return (rnd(s) >> 11) * (1.0 / 9007199254740992.0); }
static void put32(uint8_t *p, uint32_t v) { v = htonl(v); memcpy(p, &v, 4); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return ntohl(v); }

static void send_connect(thr_t *t, sock_t *s) {
  uint8_t b[16];
  put32(b, 0x417); put32(b + 4, 0x27101980); put32(b + 8, 0);
  s->connect_tx = (uint32_t)rnd(&t->rng) | 0x80000000u; // top bit: connect (announce tx ids keep it clear)
  put32(b + 12, s->connect_tx);
  s->connecting = 1; s->connect_sent_ns = now_ns();
  if (send(s->fd, b, 16, 0) != 16) t->send_fail++;
  t->connects++;
}

static void send_announce(thr_t *t, sock_t *s, int i) {
  uint8_t b[98];
  uint64_t r = rnd(&t->rng);
  memcpy(b, s->cid, 8); put32(b + 8, 1);
  uint32_t tx = ((++s->gen & 0x7fffffu) << 8) | (uint32_t)i;
  put32(b + 12, tx);
  memcpy(b + 16, pool[r % pool_n], 20);
  for (int k = 0; k < 20; k += 8) { uint64_t x = rnd(&t->rng); memcpy(b + 36 + k, &x, k + 8 <= 20 ? 8 : 4); }
  int seed = rndf(&t->rng) < seeders;
  memset(b + 56, 0, 24);             // downloaded, left, uploaded (64-bit each)
  if (!seed) put32(b + 68, 1 << 20); // left = 1 MiB
  put32(b + 80, rndf(&t->rng) < started ? 2 : 0);
  put32(b + 84, 0);                  // ip: the sender's
  put32(b + 88, (uint32_t)rnd(&t->rng));
  put32(b + 92, (uint32_t)numwant);
  uint16_t port = htons((uint16_t)(1025 + rnd(&t->rng) % 64510)); memcpy(b + 96, &port, 2);
  s->slots[i].tx = tx; s->slots[i].sent_ns = now_ns(); s->slots[i].busy = 1; s->inflight++;
  if (send(s->fd, b, 98, 0) != 98) t->send_fail++;
  t->sent++;
}

static void fill(thr_t *t, sock_t *s) {
  if (!s->have_cid || s->connecting) return;
  for (int i = 0; i < window_n && s->inflight < window_n; i++) if (!s->slots[i].busy) send_announce(t, s, i);
}

static void bad(thr_t *t, const char *why, int len) {
  t->invalid++;
  if (!t->bad_sample[0]) snprintf(t->bad_sample, sizeof t->bad_sample, "%s (%d bytes)", why, len);
}

static void on_reply(thr_t *t, sock_t *s, const uint8_t *b, int len, int64_t now) {
  if (len < 8) { bad(t, "reply shorter than 8 bytes", len); return; }
  uint32_t action = get32(b), tx = get32(b + 4);
  if (tx & 0x80000000u) {
    if (!s->connecting || tx != s->connect_tx) return; // a late connect reply: ignore
    if (action != 0 || len < 16) { bad(t, "bad connect reply", len); s->connecting = 0; return; }
    memcpy(s->cid, b + 8, 8); s->have_cid = 1; s->connecting = 0; s->cid_at_ns = now;
    return;
  }
  slot_t *sl = &s->slots[tx & 0xff];
  if ((tx & 0xff) >= (uint32_t)window_n || !sl->busy || sl->tx != tx) { bad(t, "unknown transaction id", len); return; }
  sl->busy = 0; s->inflight--;
  int64_t us = (now - sl->sent_ns) / 1000;
  t->hist[us < HIST_US ? us : HIST_US - 1]++;
  if (action == 3) {
    t->errors++;
    if (!t->err_sample[0]) {
      int n = len - 8 < 100 ? len - 8 : 100; memcpy(t->err_sample, b + 8, n); t->err_sample[n] = 0;
      for (int k = 0; k < n; k++) if (t->err_sample[k] < 32 || t->err_sample[k] == '"' || t->err_sample[k] == '\\') t->err_sample[k] = '?';
    }
    // an expired or unknown id (seedhost: "connection id ..."): connect again, as clients do
    if (!s->connecting && memmem(b + 8, len - 8, "connection", 10)) { t->reconnects++; s->have_cid = 0; send_connect(t, s); }
    return;
  }
  if (action != 1) { bad(t, "action not announce", len); return; }
  if (len < 20 || (len - 20) % 6 != 0) { bad(t, "announce reply length not 20 + 6n", len); return; }
  uint32_t interval = get32(b + 8), leechers = get32(b + 12), seeds = get32(b + 16);
  int npeers = (len - 20) / 6;
  if (interval < 1 || interval > 86400) { bad(t, "interval out of 1..86400", len); return; }
  if (npeers > numwant || (uint64_t)npeers > (uint64_t)leechers + seeds) { bad(t, "more peers than num_want or the swarm", len); return; }
  t->ok++; t->peers += npeers;
}

static void *run(void *arg) {
  thr_t *t = arg;
  int ep = epoll_create1(0);
  for (int i = 0; i < t->nsock; i++) {
    sock_t *s = &t->socks[i];
    s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int sz = 1 << 20; setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    if (connect(s->fd, (struct sockaddr *)&target, sizeof target) != 0) { perror("connect"); exit(1); }
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = s };
    epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev);
    send_connect(t, s);
  }
  int64_t start = now_ns(), end = start + (int64_t)(duration * 1e9), next_sweep = start;
  struct epoll_event evs[64]; uint8_t buf[2048];
  for (;;) {
    int64_t now = now_ns();
    if (now >= end) break;
    int n = epoll_wait(ep, evs, 64, 10);
    now = now_ns();
    for (int e = 0; e < n; e++) {
      sock_t *s = evs[e].data.ptr;
      for (int k = 0; k < BATCH; k++) {
        ssize_t len = recv(s->fd, buf, sizeof buf, 0);
        if (len < 0) { if (errno == ECONNREFUSED) t->send_fail++; break; }
        on_reply(t, s, buf, (int)len, now);
      }
      if (s->have_cid && !s->connecting && now - s->cid_at_ns > (int64_t)id_age_s * 1000000000) { t->reconnects++; send_connect(t, s); }
      fill(t, s);
    }
    if (now >= next_sweep) { // lost datagrams: count, free the slot, send again
      next_sweep = now + 10000000;
      for (int i = 0; i < t->nsock; i++) {
        sock_t *s = &t->socks[i];
        if (s->connecting && now - s->connect_sent_ns > (int64_t)timeout_ms * 1000000) { t->timeouts++; send_connect(t, s); }
        for (int j = 0; j < window_n; j++)
          if (s->slots[j].busy && now - s->slots[j].sent_ns > (int64_t)timeout_ms * 1000000) { s->slots[j].busy = 0; s->inflight--; t->timeouts++; }
        fill(t, s);
      }
    }
  }
  for (int i = 0; i < t->nsock; i++) close(t->socks[i].fd);
  close(ep);
  return NULL;
}

static double pct(const uint64_t *h, uint64_t total, double q) {
  uint64_t want = (uint64_t)(q * total), acc = 0;
  for (int i = 0; i < HIST_US; i++) { acc += h[i]; if (acc > want) return i; }
  return HIST_US;
}

int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: udp-load HOST PORT POOL_FILE SECONDS [SOCKETS] [WINDOW] [THREADS]\n"); return 2; }
  int nsock = argc > 5 ? atoi(argv[5]) : 8, nthr = argc > 7 ? atoi(argv[7]) : 1;
  window_n = argc > 6 ? atoi(argv[6]) : 16; duration = atof(argv[4]);
  if (window_n < 1 || window_n > MAX_WINDOW || nthr < 1 || nsock < nthr) { fprintf(stderr, "bad SOCKETS/WINDOW/THREADS\n"); return 2; }
  if (getenv("SEEDERS")) seeders = atof(getenv("SEEDERS"));
  if (getenv("STARTED")) started = atof(getenv("STARTED"));
  if (getenv("NUMWANT")) numwant = atoi(getenv("NUMWANT"));
  if (getenv("ID_AGE")) id_age_s = atoi(getenv("ID_AGE"));
  if (getenv("TIMEOUT_MS")) timeout_ms = atoi(getenv("TIMEOUT_MS"));
  if (getenv("SEED")) base_seed = strtoull(getenv("SEED"), 0, 10);
  target.sin_family = AF_INET; target.sin_port = htons((uint16_t)atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], &target.sin_addr) != 1) { fprintf(stderr, "HOST must be an IPv4 address\n"); return 2; }
  FILE *f = fopen(argv[3], "r"); if (!f) { perror(argv[3]); return 1; }
  char line[128]; int cap = 1024; pool = malloc(cap * 20);
  while (fgets(line, sizeof line, f)) {
    if (strlen(line) < 40) continue;
    if (pool_n == cap) { cap *= 2; pool = realloc(pool, cap * 20); }
    for (int k = 0; k < 20; k++) { unsigned v; sscanf(line + 2 * k, "%2x", &v); pool[pool_n][k] = (uint8_t)v; }
    pool_n++;
  }
  fclose(f);
  if (!pool_n) { fprintf(stderr, "empty pool\n"); return 1; }
  thr_t *th = calloc(nthr, sizeof *th); pthread_t *pt = calloc(nthr, sizeof *pt);
  int64_t t0 = now_ns();
  for (int i = 0; i < nthr; i++) {
    th[i].id = i; th[i].nsock = nsock / nthr + (i < nsock % nthr); th[i].socks = calloc(th[i].nsock, sizeof(sock_t));
    th[i].rng = (base_seed + i) * 0x9E3779B97F4A7C15ull | 1; th[i].hist = calloc(HIST_US, sizeof(uint32_t));
    pthread_create(&pt[i], NULL, run, &th[i]);
  }
  uint64_t *h = calloc(HIST_US, sizeof *h);
  thr_t sum = {0}; const char *err = "", *badw = "";
  for (int i = 0; i < nthr; i++) {
    pthread_join(pt[i], NULL);
    sum.sent += th[i].sent; sum.ok += th[i].ok; sum.errors += th[i].errors; sum.invalid += th[i].invalid;
    sum.timeouts += th[i].timeouts; sum.connects += th[i].connects; sum.reconnects += th[i].reconnects;
    sum.peers += th[i].peers; sum.send_fail += th[i].send_fail;
    if (!*err) err = th[i].err_sample;
    if (!*badw) badw = th[i].bad_sample;
    for (int k = 0; k < HIST_US; k++) h[k] += th[i].hist[k];
  }
  double el = (now_ns() - t0) / 1e9;
  uint64_t replies = sum.ok + sum.errors;
  printf("UDPJSON {\"elapsed_s\":%.3f,\"sent\":%lu,\"ok\":%lu,\"rps\":%.1f,\"errors\":%lu,\"invalid\":%lu,\"timeouts\":%lu,"
         "\"connects\":%lu,\"reconnects\":%lu,\"send_fail\":%lu,\"avg_peers\":%.1f,\"p50_us\":%.0f,\"p90_us\":%.0f,\"p99_us\":%.0f,"
         "\"p999_us\":%.0f,\"sockets\":%d,\"window\":%d,\"threads\":%d,\"err_sample\":\"%s\",\"bad_sample\":\"%s\"}\n",
         el, sum.sent, sum.ok, sum.ok / el, sum.errors, sum.invalid, sum.timeouts, sum.connects, sum.reconnects, sum.send_fail,
         sum.ok ? (double)sum.peers / sum.ok : 0, pct(h, replies, 0.5), pct(h, replies, 0.9), pct(h, replies, 0.99),
         pct(h, replies, 0.999), nsock, window_n, nthr, err, badw);
  return 0;
}

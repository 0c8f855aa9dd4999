{
  "targets": [
    {
      "target_name": "tcp_accept",
      "sources": ["tcp_accept.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [["OS!='linux'", { "type": "none", "sources": [] }]]
    }
  ]
}

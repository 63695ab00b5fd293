/*
 * fam-network: sockets over the loopback interface (TCP and UDP, IPv4 and IPv6) and unix
 * sockets, for comparing systrace with strace (test/integration/x86_64-strace.test.ts).
 * The guest's init brings `lo` up before running it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/netlink.h>
#include <unistd.h>

int main(void) {
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(7777), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  bind(ls, (struct sockaddr *)&a, sizeof a);
  listen(ls, 5);
  struct sockaddr_in got;
  socklen_t gl = sizeof got;
  getsockname(ls, (struct sockaddr *)&got, &gl);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  connect(c, (struct sockaddr *)&a, sizeof a);
  gl = sizeof got;
  int s = accept4(ls, (struct sockaddr *)&got, &gl, SOCK_CLOEXEC);
  setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int v = 0;
  socklen_t vl = sizeof v;
  getsockopt(c, SOL_SOCKET, SO_TYPE, &v, &vl);
  sendto(c, "hello", 5, MSG_NOSIGNAL, NULL, 0);
  char buf[64];
  recvfrom(s, buf, sizeof buf, 0, NULL, NULL);
  gl = sizeof got;
  getpeername(c, (struct sockaddr *)&got, &gl);
  shutdown(c, SHUT_WR);
  close(s);
  close(c);
  close(ls);

  int u = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in ua = {.sin_family = AF_INET, .sin_port = htons(7778), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  bind(u, (struct sockaddr *)&ua, sizeof ua);
  sendto(u, "dgram", 5, 0, (struct sockaddr *)&ua, sizeof ua);
  struct sockaddr_in from;
  socklen_t fl = sizeof from;
  recvfrom(u, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
  recvfrom(u, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
  close(u);

  int u6 = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
  struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(7779), .sin6_addr = IN6ADDR_LOOPBACK_INIT};
  bind(u6, (struct sockaddr *)&a6, sizeof a6);
  close(u6);

  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  struct iovec iov = {"msg", 3};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
  sendmsg(sv[0], &mh, 0);
  char rb[8];
  struct iovec riov = {rb, sizeof rb};
  struct msghdr rh = {.msg_iov = &riov, .msg_iovlen = 1};
  recvmsg(sv[1], &rh, 0);
  close(sv[0]);
  close(sv[1]);

  int us = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un un = {.sun_family = AF_UNIX};
  strcpy(un.sun_path, "/tmp/fam.sock");
  unlink(un.sun_path);
  bind(us, (struct sockaddr *)&un, sizeof un);
  listen(us, 1);
  int uc = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  connect(uc, (struct sockaddr *)&un, sizeof un);
  int ua2 = accept(us, NULL, NULL);
  write(uc, "x", 1);
  read(ua2, buf, 1);
  close(ua2);
  close(uc);
  close(us);
  unlink(un.sun_path);
  socket(AF_PACKET + 100, SOCK_RAW, 0);
  int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  bind(nl, (struct sockaddr *)&sa, sizeof sa);
  socklen_t sl = sizeof sa;
  getsockname(nl, (struct sockaddr *)&sa, &sl);
  close(nl);
  return 0;
}

/*
 * fam-file: file and descriptor calls through glibc, for comparing systrace with strace
 * (test/integration/x86_64-strace.test.ts). Every call's result is fixed by the program
 * itself (fresh files under /tmp), so both tracers see the same arguments and returns.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

int main(void) {
  char buf[256];
  struct stat st;
  int fd = open("/tmp/fam.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(fd, "hello, world\n", 13);
  struct iovec wv[2] = {{"abc", 3}, {"defgh\n", 6}};
  writev(fd, wv, 2);
  pwrite64(fd, "XY", 2, 1);
  fsync(fd);
  fdatasync(fd);
  ftruncate(fd, 20);
  fstat(fd, &st);
  close(fd);
  fd = openat(AT_FDCWD, "/tmp/fam.txt", O_RDONLY | O_CLOEXEC);
  read(fd, buf, 5);
  lseek(fd, 0, SEEK_CUR);
  lseek(fd, -3, SEEK_END);
  pread64(fd, buf, 4, 2);
  char a[4], b[8];
  struct iovec rv[2] = {{a, sizeof a}, {b, sizeof b}};
  lseek(fd, 0, SEEK_SET);
  readv(fd, rv, 2);
  stat("/tmp/fam.txt", &st);
  lstat("/tmp", &st);
  fstatat(AT_FDCWD, "/nonexistent", &st, 0);
  struct statx sx;
  statx(AT_FDCWD, "/tmp/fam.txt", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, &sx);
  access("/tmp/fam.txt", R_OK | W_OK);
  access("/nonexistent", F_OK);
  faccessat(AT_FDCWD, "/tmp", X_OK, 0);
  int fl = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  fcntl(fd, F_GETFD);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  int d = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  close(d);
  d = dup(fd);
  dup2(d, 12);
  dup3(d, 13, O_CLOEXEC);
  close(12);
  close(13);
  close(d);
  flock(fd, LOCK_SH);
  flock(fd, LOCK_UN);
  struct statfs sfs;
  fstatfs(fd, &sfs);
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  close(fd);
  mkdir("/tmp/famdir", 0755);
  mkdirat(AT_FDCWD, "/tmp/famdir/sub", 0700);
  chdir("/tmp/famdir");
  getcwd(buf, sizeof buf);
  symlink("/tmp/fam.txt", "/tmp/famdir/link");
  readlink("/tmp/famdir/link", buf, sizeof buf);
  link("/tmp/fam.txt", "/tmp/famdir/hard");
  rename("/tmp/famdir/hard", "/tmp/famdir/hard2");
  renameat2(AT_FDCWD, "/tmp/famdir/hard2", AT_FDCWD, "/tmp/famdir/hard3", RENAME_NOREPLACE);
  chmod("/tmp/famdir/hard3", 0600);
  truncate("/tmp/famdir/hard3", 4);
  umask(022);
  int dfd = open("/tmp/famdir", O_RDONLY | O_DIRECTORY);
  fchdir(dfd);
  fchmod(dfd, 0750);
  fchown(dfd, 0, 0);
  char dents[512];
  syscall(SYS_getdents64, dfd, dents, sizeof dents);
  close(dfd);
  unlink("/tmp/famdir/link");
  unlinkat(AT_FDCWD, "/tmp/famdir/hard3", 0);
  unlinkat(AT_FDCWD, "/tmp/famdir/sub", AT_REMOVEDIR);
  chdir("/");
  rmdir("/tmp/famdir");
  int p[2];
  pipe2(p, O_CLOEXEC);
  write(p[1], "ping", 4);
  int n = 0;
  ioctl(p[0], FIONREAD, &n);
  struct pollfd pf[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
  poll(pf, 2, 0);
  fd_set rs;
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  struct timeval tv = {0, 1000};
  select(p[0] + 1, &rs, NULL, NULL, &tv);
  read(p[0], buf, sizeof buf);
  close(p[0]);
  close(p[1]);
  fd = open("/tmp/fam.txt", O_RDONLY);
  int out = creat("/tmp/fam2.txt", 0600);
  off_t off = 0;
  sendfile(out, fd, &off, 8);
  close(out);
  close(fd);
  unlink("/tmp/fam2.txt");
  unlink("/tmp/fam.txt");
  { struct winsize ws; ioctl(0, TIOCGWINSZ, &ws); }
  struct termios tio;
  ioctl(0, TCGETS, &tio);
  /* The old x86_64 calls glibc no longer makes, and the *at variants. */
  syscall(SYS_stat, "/etc/hostname", &st);
  syscall(SYS_lstat, "/etc", &st);
  fd = syscall(SYS_open, "/etc/hostname", O_RDONLY);
  syscall(SYS_fstat, fd, &st);
  char dbuf[256];
  int dd = open("/", O_RDONLY | O_DIRECTORY);
  syscall(SYS_getdents, dd, dbuf, 64);
  close(dd);
  struct iovec pv[1] = {{buf, 6}};
  preadv(fd, pv, 1, 2);
  close(fd);
  struct statfs fs2;
  statfs("/tmp", &fs2);
  fd = open("/tmp/at.txt", O_WRONLY | O_CREAT, 0644);
  pwritev(fd, wv, 2, 0);
  close(fd);
  fchmodat(AT_FDCWD, "/tmp/at.txt", 0640, 0);
  fchownat(AT_FDCWD, "/tmp/at.txt", 0, 0, AT_SYMLINK_NOFOLLOW);
  linkat(AT_FDCWD, "/tmp/at.txt", AT_FDCWD, "/tmp/at2.txt", 0);
  symlinkat("/tmp/at.txt", AT_FDCWD, "/tmp/at3.txt");
  readlinkat(AT_FDCWD, "/tmp/at3.txt", buf, sizeof buf);
  renameat(AT_FDCWD, "/tmp/at2.txt", AT_FDCWD, "/tmp/at4.txt");
  syscall(SYS_faccessat, AT_FDCWD, "/tmp/at.txt", R_OK);
  struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
  utimensat(AT_FDCWD, "/tmp/at.txt", times, 0);
  struct timespec fixed[2] = {{1, 2}, {1700000000, 0}};
  utimensat(AT_FDCWD, "/tmp/at.txt", fixed, AT_SYMLINK_NOFOLLOW);
  unlink("/tmp/at3.txt");
  unlink("/tmp/at4.txt");
  unlink("/tmp/at.txt");
  return 0;
}

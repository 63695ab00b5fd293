/*
 * fam-memory: memory calls (mmap family, brk, madvise, mlock, SysV shared memory,
 * memfd), for comparing systrace with strace (test/integration/x86_64-strace.test.ts).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  void *cur = sbrk(0);
  brk((char *)cur + 8192);
  char *p = mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  p[0] = 1;
  mprotect(p, 4096, PROT_READ);
  madvise(p + 4096, 4096, MADV_DONTNEED);
  unsigned char vec[4];
  mincore(p, 16384, vec);
  mlock(p + 8192, 4096);
  munlock(p + 8192, 4096);
  msync(p, 4096, MS_SYNC);
  munmap(p, 16384);
  p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *q = mremap(p, 8192, 32768, MREMAP_MAYMOVE);
  munmap(q, 32768);
  mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  int fd = memfd_create("fam", MFD_CLOEXEC);
  ftruncate(fd, 4096);
  char *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  strcpy(s, "shared");
  munmap(s, 4096);
  close(fd);
  fd = open("/etc/hostname", O_RDONLY);
  s = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  munmap(s, 4096);
  close(fd);
  mmap((void *)0x10000000, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  munmap((void *)0x10000000, 4096);
  mmap(NULL, 4096, PROT_READ, MAP_SHARED, 99, 0);
  int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
  char *sh = shmat(id, NULL, 0);
  shmdt(sh);
  shmctl(id, IPC_RMID, NULL);
  syscall(SYS_membarrier, 0, 0, 0);
  return 0;
}

/* A small C program for the Linux runner: stdio, heap (brk and mmap), qsort, recursion, 64-bit arithmetic,
 * string functions, argv. Its output must be byte-identical under qemu-riscv64 and `rvjit emu`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static uint64_t fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(int argc, char **argv) {
  printf("argc=%d", argc);
  for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
  printf("\n");

  int64_t v[64];
  uint64_t s = 88172645463325252ull;
  for (int i = 0; i < 64; i++) {
    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
    v[i] = (int64_t)s;
  }
  qsort(v, 64, sizeof v[0], cmp);
  printf("min=%lld max=%lld mid=%lld\n", (long long)v[0], (long long)v[63], (long long)v[32]);
  printf("div=%lld rem=%lld udiv=%llu\n", (long long)(v[5] / 12345), (long long)(v[7] % -977), (unsigned long long)((uint64_t)v[9] / 3));

  char *small = malloc(100);
  char *big = malloc(1 << 20); /* large enough for glibc to mmap it */
  strcpy(small, "hello, ");
  memset(big, 'x', (1 << 20) - 1);
  big[(1 << 20) - 1] = 0;
  strcat(small, "world");
  printf("%s %zu %zu\n", small, strlen(small), strlen(big));
  char buf[64];
  snprintf(buf, sizeof buf, "%08x|%-6s|%+d", 0xbeef, "ab", 42);
  puts(buf);
  free(big);
  free(small);

  printf("fib(24)=%llu\n", (unsigned long long)fib(24));
  fprintf(stderr, "to stderr\n");
  return argc == 3 ? 7 : 0;
}

/*
 * Docker's default seccomp profile (seccomp-profile.h, generated from the public profile) as a
 * classic BPF filter, built at run time for the running architecture: the native ABI and its
 * 32-bit compat ABI (i386 on x86_64, arm on aarch64). x32 and other ABIs are killed.
 *
 * The filter is a binary search over the allowed syscall numbers of each ABI; each number's
 * leaf returns its action or checks the rule's argument. Rules keyed on capabilities apply as
 * Docker applies them for the capabilities the process keeps.
 */
#define _GNU_SOURCE
#include "seccomp-filter.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

enum { SC_EQ, SC_LT, SC_GT, SC_MASKED_EQ };

struct sc_rule {
  int nr[4]; /* x86_64, i386, aarch64, arm */
  int errno_ret;
  int cap_needed, cap_excluded;
  int arg, op;
  unsigned mask, value;
};

#include "seccomp-profile.h"

#if defined(__x86_64__)
static const unsigned arch_of[2] = {AUDIT_ARCH_X86_64, AUDIT_ARCH_I386};
static const int column_of[2] = {0, 1};
#elif defined(__aarch64__)
static const unsigned arch_of[2] = {AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM};
static const int column_of[2] = {2, 3};
#else
#error "tsbuild-init filters syscalls on x86_64 and aarch64 only"
#endif
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the argument offsets below assume little-endian"
#endif

/* mknod and mknodat per column, and the index of their mode argument. */
static const int mknod_nr[4][2] = {{133, 259}, {14, 297}, {-1, 33}, {14, 324}};
static const int mknod_mode_arg[2] = {1, 2};

#define DENY (SECCOMP_RET_ERRNO | EPERM)
#define X32_SYSCALL_BIT 0x40000000u

static struct sock_filter prog[BPF_MAXINSNS];
static unsigned len, overflow;

static unsigned emit(struct sock_filter f) {
  if (len == BPF_MAXINSNS) {
    overflow = 1;
    return len - 1;
  }
  prog[len] = f;
  return len++;
}

#define STMT(code, k) emit((struct sock_filter)BPF_STMT((code), (k)))
#define JUMP(code, k, t, f) emit((struct sock_filter)BPF_JUMP((code), (k), (t), (f)))
#define RET(k) STMT(BPF_RET | BPF_K, (k))
#define LOAD(off) STMT(BPF_LD | BPF_W | BPF_ABS, (off))
/* Low 32 bits of argument i: what the kernel reads of an int, and all a mode or flag needs. */
#define LOAD_ARG(i) LOAD(offsetof(struct seccomp_data, args[0]) + 8 * (i))

/* Points the jump at `from` (a JA, or a conditional's false branch) at the next instruction. */
static void land(unsigned from) {
  if (overflow) return;
  if (BPF_OP(prog[from].code) == BPF_JA) prog[from].k = len - from - 1;
  else if (len - from - 1 > 255) overflow = 1; /* conditional jumps reach 255 ahead */
  else prog[from].jf = len - from - 1;
}

static unsigned long long kept;

static int applies(const struct sc_rule *r, int col) {
  return r->nr[col] >= 0 && (r->cap_needed < 0 || (kept >> r->cap_needed & 1)) &&
         (r->cap_excluded < 0 || !(kept >> r->cap_excluded & 1));
}

static unsigned action(const struct sc_rule *r) {
  return r->errno_ret ? SECCOMP_RET_ERRNO | r->errno_ret : SECCOMP_RET_ALLOW;
}

/* What syscall `nr` of `col` does; the accumulator holds the number on entry, and every
 * path returns. */
static void emit_leaf(int col, int nr) {
  for (int k = 0; k < 2; k++)
    if (mknod_nr[col][k] == nr) {
      /* CAP_MKNOD stays (Docker keeps it for fifos and char devices), but a block device
       * node is the way to a host disk. */
      LOAD_ARG(mknod_mode_arg[k]);
      STMT(BPF_ALU | BPF_AND | BPF_K, S_IFMT);
      JUMP(BPF_JMP | BPF_JEQ | BPF_K, S_IFBLK, 0, 1);
      RET(DENY);
    }
  for (size_t i = 0; i < sizeof sc_rules / sizeof sc_rules[0]; i++)
    if (sc_rules[i].nr[col] == nr && sc_rules[i].arg < 0 && applies(&sc_rules[i], col)) {
      RET(action(&sc_rules[i]));
      return;
    }
  for (size_t i = 0; i < sizeof sc_rules / sizeof sc_rules[0]; i++) {
    const struct sc_rule *r = &sc_rules[i];
    if (r->nr[col] != nr || !applies(r, col)) continue;
    LOAD_ARG(r->arg);
    if (r->mask != 0xffffffffu) STMT(BPF_ALU | BPF_AND | BPF_K, r->mask);
    if (r->op == SC_LT) JUMP(BPF_JMP | BPF_JGE | BPF_K, r->value, 1, 0);
    else JUMP(BPF_JMP | (r->op == SC_GT ? BPF_JGT : BPF_JEQ) | BPF_K, r->value, 0, 1);
    RET(action(r));
  }
  RET(DENY);
}

/* Binary search over nrs[lo, hi) with the syscall number in the accumulator. */
static void emit_search(int col, const int *nrs, int lo, int hi) {
  if (hi - lo <= 4) {
    for (int i = lo; i < hi; i++) {
      unsigned test = JUMP(BPF_JMP | BPF_JEQ | BPF_K, nrs[i], 0, 0);
      emit_leaf(col, nrs[i]);
      land(test);
    }
    RET(DENY);
    return;
  }
  int mid = lo + (hi - lo) / 2;
  JUMP(BPF_JMP | BPF_JGE | BPF_K, nrs[mid], 0, 1);
  unsigned to_upper = STMT(BPF_JMP | BPF_JA, 0);
  emit_search(col, nrs, lo, mid);
  land(to_upper);
  emit_search(col, nrs, mid, hi);
}

static int by_value(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

static void emit_abi(int col, int native) {
  static int nrs[sizeof sc_rules / sizeof sc_rules[0]];
  int n = 0;
  for (size_t i = 0; i < sizeof sc_rules / sizeof sc_rules[0]; i++) {
    if (!applies(&sc_rules[i], col)) continue;
    int seen = 0;
    for (int j = 0; j < n && !seen; j++) seen = nrs[j] == sc_rules[i].nr[col];
    if (!seen) nrs[n++] = sc_rules[i].nr[col];
  }
  qsort(nrs, n, sizeof nrs[0], by_value);
  LOAD(offsetof(struct seccomp_data, nr));
  if (native && col == 0) {
    JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
    RET(SECCOMP_RET_KILL_PROCESS);
  }
  emit_search(col, nrs, 0, n);
}

int install_default_seccomp(unsigned long long caps) {
  kept = caps;
  len = overflow = 0;
  LOAD(offsetof(struct seccomp_data, arch));
  unsigned to_abi[2];
  for (int a = 0; a < 2; a++) {
    JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch_of[a], 0, 1);
    to_abi[a] = STMT(BPF_JMP | BPF_JA, 0);
  }
  RET(SECCOMP_RET_KILL_PROCESS);
  for (int a = 0; a < 2; a++) {
    land(to_abi[a]);
    emit_abi(column_of[a], a == 0);
  }
  if (overflow) {
    errno = E2BIG;
    return -1;
  }
  struct sock_fprog fprog = {.len = len, .filter = prog};
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog);
}

/*
 * tsbuild-init: runs one RUN step in a sandbox and is that sandbox's PID 1.
 *
 * Node cannot unshare, mount or pivot_root itself, and host tools (unshare, setpriv, capsh)
 * are unreachable once the root is pivoted, so this one small static-free binary does the
 * whole setup between the pivot and the exec. The parent (src/executor/sandbox.ts) writes
 * the spec to fd 3 as records `<key> <len>\n<len bytes>\n`, and reads NUL-terminated status
 * records from fd 4: `created <path>`, `copyup <mode> <uid> <gid> <path>` (what the setup
 * added to the overlay upper dir, so the parent can take it out of the diff; a copied-up dir
 * holds a mount point, so the command can delete in it but never make it opaque), `error <text>`,
 * `exit <code>` and `signal <n>`.
 *
 * Process tree: this process joins the step's cgroups and unshares the pid namespace; its
 * child is PID 1 there, unshares mount/uts/ipc/cgroup(/net) namespaces, builds the root,
 * pivots, and forks the command. PID 1 reaps every orphan, forwards signals to the command
 * and exits with its status, which makes the kernel kill whatever the command left behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#define SPEC_FD 3
#define STATUS_FD 4
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct mnt {
  char kind; /* b: bind, o: overlay over a dir (rw bind), t: tmpfs, s: secret file */
  int ro;
  char *source, *upper, *work, *target, *size, *content;
  size_t content_len;
  unsigned mode, uid, gid;
  int tree; /* detached mount prepared before the pivot */
};

struct spec {
  char *root, *mount_cwd, *overlay, *upper, *staging, *hostname, *cwd, *user;
  int host_net, insecure;
  char *args[4096], *env[4096], *cgroups[8];
  int nargs, nenv, ncgroups, nmounts;
  struct mnt mounts[256];
};

static struct spec S;
static int dev_trees[6];
static const char *dev_nodes[6] = {"null", "zero", "full", "random", "urandom", "tty"};
static dev_t root_dev;
static int upper_fd = -1;

static void status(const char *fmt, ...) {
  char buf[PATH_MAX + 128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  /* One write per record: writes under PIPE_BUF are atomic, so PID 1 and the command child
   * never interleave. */
  if (write(STATUS_FD, buf, n + 1) < 0) return;
}

static void die(const char *fmt, ...) {
  char msg[PATH_MAX + 64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  status("error %s", msg);
  _exit(125);
}

#define CHECK(expr, ...) do { if ((expr) < 0) die(__VA_ARGS__); } while (0)

/* ---- spec ---------------------------------------------------------------------------- */

static char *field(char **cur, char *end) {
  char *start = *cur;
  char *nul = memchr(start, '\0', end - start);
  *cur = nul ? nul + 1 : end;
  return start;
}

static void parse_mount(char kind, char *v, size_t len) {
  if (S.nmounts == (int)(sizeof S.mounts / sizeof S.mounts[0])) die("too many mounts");
  struct mnt *m = &S.mounts[S.nmounts++];
  char *cur = v, *end = v + len;
  m->kind = kind;
  m->tree = -1;
  if (kind == 'b') {
    m->ro = strcmp(field(&cur, end), "ro") == 0;
    m->source = field(&cur, end);
  } else if (kind == 'o') {
    m->source = field(&cur, end);
    m->upper = field(&cur, end);
    m->work = field(&cur, end);
  } else if (kind == 't') {
    m->size = field(&cur, end);
  } else {
    m->mode = strtoul(field(&cur, end), NULL, 8);
    m->uid = strtoul(field(&cur, end), NULL, 10);
    m->gid = strtoul(field(&cur, end), NULL, 10);
  }
  m->target = field(&cur, end);
  /* The secret's bytes come last so they may contain anything, NULs included. */
  m->content = cur;
  m->content_len = end - cur;
}

static void read_spec(void) {
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  for (ssize_t n; (n = read(SPEC_FD, buf + len, cap - len)) != 0;) {
    if (n < 0) { if (errno == EINTR) continue; die("reading spec: %m"); }
    len += n;
    if (len == cap && !(buf = realloc(buf, cap *= 2))) die("out of memory");
  }
  close(SPEC_FD);
  for (char *p = buf, *end = buf + len; p < end;) {
    char *key = p, *sp = memchr(p, ' ', end - p);
    if (!sp) die("malformed spec");
    *sp = '\0';
    char *val;
    size_t vlen = strtoul(sp + 1, &val, 10);
    if (*val != '\n' || (size_t)(end - val - 1) < vlen + 1) die("malformed spec");
    val++;
    val[vlen] = '\0'; /* overwrites the record's trailing newline */
    p = val + vlen + 1;
    if (!strcmp(key, "root")) S.root = val;
    else if (!strcmp(key, "mountcwd")) S.mount_cwd = val;
    else if (!strcmp(key, "overlay")) S.overlay = val;
    else if (!strcmp(key, "upper")) S.upper = val;
    else if (!strcmp(key, "staging")) S.staging = val;
    else if (!strcmp(key, "hostname")) S.hostname = val;
    else if (!strcmp(key, "cwd")) S.cwd = val;
    else if (!strcmp(key, "user")) S.user = val;
    else if (!strcmp(key, "hostnet")) S.host_net = 1;
    else if (!strcmp(key, "insecure")) S.insecure = 1;
    else if (!strcmp(key, "arg") && S.nargs < 4095) S.args[S.nargs++] = val;
    else if (!strcmp(key, "env") && S.nenv < 4094) S.env[S.nenv++] = val;
    else if (!strcmp(key, "cgroup") && S.ncgroups < 8) S.cgroups[S.ncgroups++] = val;
    else if (strlen(key) == 1 && strchr("bots", key[0])) parse_mount(key[0], val, vlen);
    else die("unknown or excess spec record %s", key);
  }
  if (!S.root || !S.overlay || !S.upper || !S.staging || !S.cwd || !S.nargs) die("incomplete spec");
}

/* ---- mount points ---------------------------------------------------------------------- */

/* Before our mkdir copies an existing directory up into the upper dir, tell the parent its
 * metadata, so that it can drop the copy again if the command leaves it unchanged. Checked
 * against the upper dir itself, so a reused upper dir's own entries are never reported. */
static void report_copyups(const char *dir) {
  char canon[PATH_MAX];
  struct stat st;
  if (!realpath(dir, canon)) return;
  size_t len = strlen(canon);
  for (size_t n = 2; n <= len; n++) {
    if (n < len && canon[n] != '/') continue;
    canon[n] = '\0';
    if (lstat(canon, &st) == 0 && st.st_dev == root_dev &&
        fstatat(upper_fd, canon + 1, &(struct stat){0}, AT_SYMLINK_NOFOLLOW) < 0) {
      status("copyup %o %u %u %s", st.st_mode & 07777, st.st_uid, st.st_gid, canon);
    }
    if (n < len) canon[n] = '/';
  }
}

/* mkdir -p for a mount point (a file when !dir), reporting each path created on the root
 * overlay. Runs after the pivot, so symlinks in the image resolve inside the sandbox. */
static void ensure_path(const char *path, int dir) {
  char buf[PATH_MAX];
  struct stat st;
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) die("path too long: %s", path);
  for (char *p = buf + 1;; p++) {
    int last = *p == '\0';
    if (*p != '/' && !last) continue;
    *p = '\0';
    if (stat(buf, &st) < 0) {
      if (errno != ENOENT) die("stat %s: %m", buf);
      char *slash = strrchr(buf, '/');
      char parent[PATH_MAX];
      snprintf(parent, sizeof parent, "%.*s", slash == buf ? 1 : (int)(slash - buf), buf);
      struct stat pst;
      int on_root = stat(parent, &pst) == 0 && pst.st_dev == root_dev;
      if (on_root) report_copyups(parent);
      if (last && !dir) {
        int fd = open(buf, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
        CHECK(fd, "creating mount point %s: %m", buf);
        close(fd);
      } else {
        CHECK(mkdir(buf, 0755), "creating %s: %m", buf);
      }
      char canon[PATH_MAX];
      if (on_root && realpath(buf, canon)) status("created %s", canon);
    }
    if (last) return;
    *p = '/';
  }
}

static void mount_fs(const char *src, const char *target, const char *type, unsigned long flags,
                     const char *data) {
  ensure_path(target, 1);
  CHECK(mount(src, target, type, flags, data), "mounting %s on %s: %m", type, target);
}

static void attach_tree(int tree, const char *target, int dir) {
  ensure_path(target, dir);
  CHECK(move_mount(tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_SYMLINKS),
        "mounting on %s: %m", target);
  close(tree);
}

static void set_attrs(int tree, unsigned long long attrs) {
  struct mount_attr attr = {.attr_set = attrs};
  CHECK(mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr),
        "setting mount attributes: %m");
}

/* ---- before the pivot: everything that needs a host path ------------------------------- */

static int clone_tree(const char *path, unsigned flags) {
  int fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | flags);
  CHECK(fd, "opening %s: %m", path);
  return fd;
}

static void prepare_trees(void) {
  unsigned long long nodev = S.insecure ? 0 : MOUNT_ATTR_NODEV;
  if (S.insecure) dev_trees[0] = clone_tree("/dev", AT_RECURSIVE);
  else
    for (int i = 0; i < 6; i++) {
      char p[32];
      snprintf(p, sizeof p, "/dev/%s", dev_nodes[i]);
      dev_trees[i] = clone_tree(p, 0);
      set_attrs(dev_trees[i], MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
    }
  /* Secrets go to a tmpfs that only this mount namespace sees; it vanishes with the old root,
   * kept alive by nothing but the file bind mounts cloned from it. */
  int secrets = 0;
  for (int i = 0; i < S.nmounts; i++) secrets |= S.mounts[i].kind == 's';
  if (secrets) CHECK(mount("tmpfs", S.staging, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700"),
                     "mounting secrets tmpfs: %m");
  for (int i = 0; i < S.nmounts; i++) {
    struct mnt *m = &S.mounts[i];
    if (m->kind == 'b') {
      m->tree = clone_tree(m->source, AT_RECURSIVE);
      set_attrs(m->tree, MOUNT_ATTR_NOSUID | nodev | (m->ro ? MOUNT_ATTR_RDONLY : 0));
    } else if (m->kind == 'o') {
      int fs = fsopen("overlay", FSOPEN_CLOEXEC);
      CHECK(fs, "overlay for %s: %m", m->target);
      CHECK(fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", m->source, 0), "lowerdir %s: %m", m->source);
      CHECK(fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", m->upper, 0), "upperdir: %m");
      CHECK(fsconfig(fs, FSCONFIG_SET_STRING, "workdir", m->work, 0), "workdir: %m");
      CHECK(fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0), "overlay for %s: %m", m->target);
      m->tree = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | nodev);
      CHECK(m->tree, "overlay for %s: %m", m->target);
      close(fs);
    } else if (m->kind == 's') {
      char path[PATH_MAX];
      snprintf(path, sizeof path, "%s/%d", S.staging, i);
      int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
      CHECK(fd, "writing secret: %m");
      for (size_t off = 0; off < m->content_len;) {
        ssize_t n = write(fd, m->content + off, m->content_len - off);
        CHECK(n, "writing secret: %m");
        off += n;
      }
      CHECK(fchown(fd, m->uid, m->gid), "chown secret: %m");
      CHECK(fchmod(fd, m->mode), "chmod secret: %m");
      close(fd);
      m->tree = clone_tree(path, 0);
      set_attrs(m->tree, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
    }
  }
}

static void mount_root(void) {
  CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "making mounts private: %m");
  if (S.mount_cwd) CHECK(chdir(S.mount_cwd), "chdir %s: %m", S.mount_cwd);
  /* nodev everywhere but the device nodes bound into /dev: with CAP_MKNOD kept (images
   * need it for fifos and char devices), a node in a layer or made by mknod must not open
   * a host device. */
  CHECK(mount("overlay", S.root, "overlay", S.insecure ? 0 : MS_NODEV, S.overlay),
        "mounting the root overlay: %m");
  upper_fd = open(S.upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHECK(upper_fd, "opening upper dir: %m");
  prepare_trees();
  CHECK(chdir(S.root), "chdir root: %m");
  /* pivot_root(".", ".") stacks the old root on the new one; detaching it leaves no path
   * back to the host, whatever chroot games the command plays later. */
  CHECK(syscall(SYS_pivot_root, ".", "."), "pivot_root: %m");
  CHECK(umount2(".", MNT_DETACH), "detaching the host root: %m");
  CHECK(chdir("/"), "chdir /: %m");
  struct stat st;
  CHECK(stat("/", &st), "stat /: %m");
  root_dev = st.st_dev;
}

/* ---- after the pivot ------------------------------------------------------------------- */

static void mount_proc_sys(void) {
  mount_fs("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  mount_fs("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | (S.insecure ? 0 : MS_RDONLY), NULL);
  if (S.insecure) return;
  /* Docker's read-only and masked /proc paths: kernel knobs and leaks of host state. */
  static const char *ro[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
    if (mount(ro[i], ro[i], NULL, MS_BIND | MS_REC, NULL) < 0) continue;
    CHECK(mount(NULL, ro[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL),
          "read-only %s: %m", ro[i]);
  }
  static const char *masked[] = {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
                                 "/proc/latency_stats", "/proc/acpi", "/proc/scsi"};
  for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++) {
    struct stat st;
    if (stat(masked[i], &st) < 0) continue;
    if (S_ISDIR(st.st_mode)) CHECK(mount("tmpfs", masked[i], "tmpfs", MS_RDONLY, "size=0"), "masking %s: %m", masked[i]);
    else CHECK(mount("/dev/null", masked[i], NULL, MS_BIND, NULL), "masking %s: %m", masked[i]);
  }
}

static void mount_dev(void) {
  /* --security=insecure is --privileged: every host device, but the sandbox's own pts and shm. */
  if (S.insecure) attach_tree(dev_trees[0], "/dev", 1);
  else mount_fs("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME, "mode=755,size=65536k");
  for (int i = 0; i < 6 && !S.insecure; i++) {
    char p[32];
    snprintf(p, sizeof p, "/dev/%s", dev_nodes[i]);
    attach_tree(dev_trees[i], p, 0);
  }
  mount_fs("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
  mount_fs("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
  static const char *links[][2] = {{"pts/ptmx", "/dev/ptmx"}, {"/proc/self/fd", "/dev/fd"},
                                   {"/proc/self/fd/0", "/dev/stdin"}, {"/proc/self/fd/1", "/dev/stdout"},
                                   {"/proc/self/fd/2", "/dev/stderr"}};
  struct stat st;
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    if (!S.insecure || lstat(links[i][1], &st) < 0)
      CHECK(symlink(links[i][0], links[i][1]), "symlink %s: %m", links[i][1]);
}

static void mount_user(void) {
  for (int i = 0; i < S.nmounts; i++) {
    struct mnt *m = &S.mounts[i];
    if (m->kind == 't') {
      char data[96];
      snprintf(data, sizeof data, "mode=1777%s%s", *m->size ? ",size=" : "", m->size);
      mount_fs("tmpfs", m->target, "tmpfs", MS_NOSUID | (S.insecure ? 0 : MS_NODEV), data);
      continue;
    }
    struct stat st;
    int dir = m->kind == 'o' || (m->kind == 'b' && fstat(m->tree, &st) == 0 && S_ISDIR(st.st_mode));
    attach_tree(m->tree, m->target, dir);
  }
}

static void loopback_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  CHECK(s, "socket: %m");
  struct ifreq ifr = {0};
  strcpy(ifr.ifr_name, "lo");
  CHECK(ioctl(s, SIOCGIFFLAGS, &ifr), "lo flags: %m");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  CHECK(ioctl(s, SIOCSIFFLAGS, &ifr), "bringing lo up: %m");
  close(s);
}

/* ---- user ------------------------------------------------------------------------------ */

struct ids { uid_t uid; gid_t gid; gid_t groups[256]; int ngroups; char home[PATH_MAX]; };

static int numeric(const char *s, unsigned *out) {
  if (!*s || strspn(s, "0123456789") != strlen(s)) return 0;
  *out = strtoul(s, NULL, 10);
  return 1;
}

/* Splits an /etc/passwd or /etc/group line into its colon fields, in place. */
static int split(char *line, char **f, int max) {
  int n = 0;
  line[strcspn(line, "\n")] = '\0';
  for (char *p = line; n < max; p++) {
    f[n++] = p;
    if (!(p = strchr(p, ':'))) break;
    *p = '\0';
  }
  return n;
}

static int member(char *list, const char *name) {
  for (char *save, *m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save))
    if (!strcmp(m, name)) return 1;
  return 0;
}

/* USER semantics of BuildKit (oci.GetUser, then moby's GetExecUser): no USER is 0:0 with no
 * supplementary groups; a name must exist in the image's /etc/passwd, a uid need not; an
 * explicit group replaces the supplementary groups. Parsed by hand: the host's NSS must not
 * read the image's files. */
static void resolve_user(struct ids *ids) {
  char spec[512], line[4096], *f[7], name[sizeof line] = "";
  unsigned uid = 0, gid = 0, n;
  snprintf(spec, sizeof spec, "%s", S.user && *S.user ? S.user : "0:0");
  char *group = strchr(spec, ':');
  if (group) *group++ = '\0';
  int by_uid = numeric(spec, &uid), found = 0;
  strcpy(ids->home, "/");
  FILE *pw = fopen("/etc/passwd", "re");
  while (pw && !found && fgets(line, sizeof line, pw))
    if (split(line, f, 7) >= 7 && numeric(f[2], &n) &&
        (by_uid ? n == uid : !strcmp(f[0], spec))) {
      found = 1;
      uid = n;
      numeric(f[3], &gid);
      snprintf(name, sizeof name, "%s", f[0]);
      snprintf(ids->home, sizeof ids->home, "%s", f[5]);
    }
  if (pw) fclose(pw);
  if (!by_uid && !found) die("unable to find user %s: no matching entries in passwd file", spec);
  ids->uid = uid;
  ids->ngroups = 0;
  FILE *gr = fopen("/etc/group", "re");
  int group_found = group && numeric(group, &gid);
  while (gr && fgets(line, sizeof line, gr)) {
    if (split(line, f, 4) < 4 || !numeric(f[2], &n)) continue;
    if (group && !group_found && !strcmp(f[0], group)) group_found = 1, gid = n;
    else if (!group && *name && member(f[3], name) && ids->ngroups < 256) ids->groups[ids->ngroups++] = n;
  }
  if (gr) fclose(gr);
  if (group && !group_found) die("unable to find group %s: no matching entries in group file", group);
  ids->gid = gid;
}

static void make_workdir(const struct ids *ids) {
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s", S.cwd) >= (int)sizeof path) die("workdir too long");
  struct stat st;
  if (stat(path, &st) == 0) return;
  /* Created like BuildKit does, owned by the step's user; WORKDIR creation stays in the diff,
   * so this goes around ensure_path's reporting. */
  for (char *p = path + 1;; p++) {
    if (*p != '/' && *p) continue;
    char c = *p;
    *p = '\0';
    if (mkdir(path, 0755) == 0) CHECK(chown(path, ids->uid, ids->gid), "chown %s: %m", path);
    else if (errno != EEXIST) die("creating workdir %s: %m", path);
    if (!c) return;
    *p = c;
  }
}

/* ---- dropping privileges --------------------------------------------------------------- */

/* Docker's default bounding set. */
static const int kept_caps[] = {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL,
                                CAP_SETGID, CAP_SETUID, CAP_SETPCAP, CAP_NET_BIND_SERVICE,
                                CAP_NET_RAW, CAP_SYS_CHROOT, CAP_MKNOD, CAP_AUDIT_WRITE, CAP_SETFCAP};

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#define COMPAT_ARCH AUDIT_ARCH_I386
#define COMPAT_MKNOD 14
#define COMPAT_MKNODAT 297
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#define COMPAT_ARCH AUDIT_ARCH_ARM
#define COMPAT_MKNOD 14
#define COMPAT_MKNODAT 324
#define __NR_mknod __NR_mknodat /* aarch64 has only mknodat */
#endif

#define LOAD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define IFEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define MODE_IS_BLOCK(arg, t, f) LOAD(offsetof(struct seccomp_data, args[arg])), \
  BPF_STMT(BPF_ALU | BPF_AND | BPF_K, S_IFMT), IFEQ(S_IFBLK, t, f)

/* CAP_MKNOD stays (Docker keeps it for fifos and char devices), but a block device node is
 * the way to a host disk, so mknod(at) of S_IFBLK fails with EPERM; the 32-bit ABI and x32
 * numbers are checked too. Jump offsets count instructions after the jump. */
static void deny_block_mknod(void) {
  struct sock_filter f[] = {
    /* 0 */ LOAD(offsetof(struct seccomp_data, arch)),
    /* 1 */ IFEQ(NATIVE_ARCH, 1, 0),
    /* 2 */ IFEQ(COMPAT_ARCH, 4, 13),
    /* 3 */ LOAD(offsetof(struct seccomp_data, nr)),
    /* 4 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, ~0x40000000u), /* x32 bit */
    /* 5 */ IFEQ(__NR_mknod, 4, 0),
    /* 6 */ IFEQ(__NR_mknodat, 6, 9),
    /* 7 */ LOAD(offsetof(struct seccomp_data, nr)),
    /* 8 */ IFEQ(COMPAT_MKNOD, 1, 0),
    /* 9 */ IFEQ(COMPAT_MKNODAT, 3, 6),
    /* 10-12: mknod(path, mode, dev) */ MODE_IS_BLOCK(1, 4, 3),
    /* 13-15: mknodat(dirfd, path, mode, dev) */ MODE_IS_BLOCK(2, 1, 0),
    /* 16 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    /* 17 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
  };
  struct sock_fprog prog = {.len = sizeof f / sizeof f[0], .filter = f};
  CHECK(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), "seccomp: %m");
}

static void drop_privileges(const struct ids *ids) {
  if (!S.insecure) {
    deny_block_mknod(); /* needs CAP_SYS_ADMIN (instead of no_new_privs), so it goes first */
    unsigned long long keep = 0;
    for (size_t i = 0; i < sizeof kept_caps / sizeof kept_caps[0]; i++) keep |= 1ULL << kept_caps[i];
    for (int cap = 0; cap < 64; cap++)
      if (!(keep & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
        die("dropping capability %d: %m", cap);
  }
  CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clearing ambient caps: %m");
  CHECK(setgroups(ids->ngroups, ids->groups), "setgroups: %m");
  CHECK(setgid(ids->gid), "setgid %u: %m", ids->gid);
  CHECK(setuid(ids->uid), "setuid %u: %m", ids->uid);
  /* setuid to a non-zero uid already cleared every capability; root keeps the bounding set
   * as permitted+effective, nothing inheritable (as Docker does since CVE-2022-24769). */
  if (ids->uid != 0) return;
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {{0}};
  for (int cap = 0; cap < 64; cap++)
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) {
      data[cap / 32].permitted |= 1u << (cap % 32);
      data[cap / 32].effective |= 1u << (cap % 32);
    }
  CHECK(syscall(SYS_capset, &hdr, data), "capset: %m");
}

/* ---- the command ----------------------------------------------------------------------- */

/* execvpe() searches the PATH of this process; the command's PATH is the one in its env. */
static void exec_command(char **env) {
  const char *file = S.args[0], *path = DEFAULT_PATH;
  for (char **e = env; *e; e++)
    if (!strncmp(*e, "PATH=", 5)) path = *e + 5;
  if (strchr(file, '/')) {
    execve(file, S.args, env);
    die("exec %s: %m", file);
  }
  int eacces = 0;
  for (const char *p = path;; p++) {
    const char *colon = strchrnul(p, ':');
    char full[PATH_MAX];
    if (colon == p) snprintf(full, sizeof full, "./%s", file); /* an empty entry is the cwd */
    else snprintf(full, sizeof full, "%.*s/%s", (int)(colon - p), p, file);
    execve(full, S.args, env);
    eacces |= errno == EACCES;
    if (!*colon) break;
    p = colon;
  }
  errno = eacces ? EACCES : ENOENT;
  die(eacces ? "exec %s: %m" : "exec %s: executable file not found in $PATH", file);
}

static const int forwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};

static void wait_signals(sigset_t *set) {
  sigemptyset(set);
  sigaddset(set, SIGCHLD);
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) sigaddset(set, forwarded[i]);
  sigprocmask(SIG_BLOCK, set, NULL);
}

/* Reaps children until `child` ends, forwarding signals to it; returns its wait status. */
static int supervise(pid_t child, sigset_t *set) {
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(set, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) { kill(child, sig); continue; }
    int st;
    for (pid_t p; (p = waitpid(-1, &st, WNOHANG)) > 0;)
      if (p == child) return st;
  }
}

static int exit_code(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st); }

static void sandbox_init(void) {
  sigset_t set;
  /* Not dumpable: the command, root or not, cannot ptrace PID 1 or open /proc/1/exe, which is
   * this binary on the host (CVE-2019-5736). */
  prctl(PR_SET_DUMPABLE, 0);
  wait_signals(&set);
  CHECK(unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | (S.host_net ? 0 : CLONE_NEWNET)),
        "unshare: %m");
  CHECK(sethostname(S.hostname, strlen(S.hostname)), "sethostname: %m");
  if (!S.host_net) loopback_up();
  mount_root();
  mount_dev(); /* first: masking /proc files binds /dev/null over them */
  mount_proc_sys();
  mount_user();
  struct ids ids;
  resolve_user(&ids);
  make_workdir(&ids);
  CHECK(chdir(S.cwd), "chdir %s: %m", S.cwd);
  close(upper_fd); /* the last handle on a host directory: nothing after this needs one */
  int has_home = 0;
  for (int i = 0; i < S.nenv; i++) has_home |= !strncmp(S.env[i], "HOME=", 5);
  char home[PATH_MAX + 5];
  snprintf(home, sizeof home, "HOME=%s", ids.home);
  if (!has_home) S.env[S.nenv++] = home;
  pid_t child = fork();
  CHECK(child, "fork: %m");
  if (child == 0) {
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    setsid();
    /* `tsbuild run -t`: the pty on stdin becomes the command's controlling terminal, so Ctrl-C and resizes reach it. */
    if (isatty(STDIN_FILENO)) ioctl(STDIN_FILENO, TIOCSCTTY, 0);
    drop_privileges(&ids);
    exec_command(S.env);
  }
  int st = supervise(child, &set);
  if (WIFSIGNALED(st)) status("signal %d", WTERMSIG(st));
  else status("exit %d", WEXITSTATUS(st));
  _exit(exit_code(st));
}

int main(void) {
  /* A build that dies (tsbuild crashed or was killed) takes its running step with it. */
  pid_t tsbuild = getppid();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != tsbuild) return 137;
  read_spec();
  CHECK(fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC), "status fd: %m");
  for (int i = 0; i < S.ncgroups; i++) {
    int fd = open(S.cgroups[i], O_WRONLY | O_CLOEXEC);
    CHECK(fd, "opening %s: %m", S.cgroups[i]);
    CHECK(write(fd, "0", 1), "joining %s: %m", S.cgroups[i]);
    close(fd);
  }
  sigset_t set;
  wait_signals(&set);
  CHECK(unshare(CLONE_NEWPID), "unshare pid: %m");
  int alive[2];
  CHECK(pipe2(alive, O_CLOEXEC), "pipe: %m");
  pid_t init = fork();
  CHECK(init, "fork: %m");
  if (init == 0) {
    /* If this outer process is killed (the build was aborted), PID 1 and so every process of
     * the sandbox die with it. The pipe closes the race of a kill before the prctl. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(alive[1]);
    struct pollfd parent = {.fd = alive[0], .events = POLLIN};
    if (poll(&parent, 1, 0) != 0) _exit(137);
    close(alive[0]);
    sandbox_init();
  }
  close(alive[0]);
  return exit_code(supervise(init, &set));
}

/*
 * tsbuild-init: runs one RUN step in a sandbox and is that sandbox's PID 1.
 *
 * Node cannot unshare, mount or pivot_root itself, and host tools (unshare, setpriv, capsh)
 * are unreachable once the root is pivoted, so this one small static-free binary does the
 * whole setup between the pivot and the exec. The parent (src/executor/sandbox.ts) writes
 * the spec to fd 3 as records `<key> <len>\n<len bytes>\n`, and reads NUL-terminated status
 * records from fd 4: `netns-ready <pid>` (see announce_netns), `created <path>`,
 * `copyup <mode> <uid> <gid> <path>` (what the setup added to the overlay upper dir, so the
 * parent can take it out of the diff; a copied-up dir holds a mount point, so the command can
 * delete in it but never make it opaque), `error <text>`, `exit <code>` and `signal <n>`.
 *
 * Process tree: this process joins the step's cgroups and unshares the pid namespace; its
 * child is PID 1 there, unshares mount/uts/ipc/cgroup(/net) namespaces, builds the root,
 * pivots, and forks the command. PID 1 reaps every orphan, forwards signals to the command
 * and exits with its status, which makes the kernel kill whatever the command left behind.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include "seccomp-filter.h"

#define SPEC_FD 3
#define STATUS_FD 4
#define NET_SYNC_FD 5 /* the parent writes one byte once the step's network is attached */
/* Every fd from here up is the caller's, not tsbuild's, and is closed at start: a pipe the
 * parent adds to the spawn's stdio must stay below it (raise this with it). NET_SYNC_FD is
 * tsbuild's only when the spec says so; otherwise it is closed like the caller's. */
#define FIRST_FOREIGN_FD (NET_SYNC_FD + 1)
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct mnt {
  char kind; /* b: bind, o: overlay over a dir (rw bind, or ro with no upper), t: tmpfs, s: secret file */
  int ro;
  char *source, *upper, *work, *target, *size, *content;
  size_t content_len;
  unsigned mode, uid, gid;
  int tree; /* detached mount prepared before the pivot */
};

struct spec {
  char *root, *mount_cwd, *overlay, *upper, *staging, *hostname, *cwd, *user;
  int host_net, insecure, userns, net_sync;
  /* Bind the host's device nodes instead of making fresh ones: only for a user namespace
   * (rootless), where mknod is refused and the host's inodes cannot be changed. */
  int dev_bind;
  char *args[4096], *env[4096], *cgroups[8];
  int nargs, nenv, ncgroups, nmounts;
  struct mnt mounts[256];
};

static struct spec S;
static int dev_trees[6];
static const char *dev_nodes[6] = {"null", "zero", "full", "random", "urandom", "tty"};
static const unsigned dev_numbers[6][2] = {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}};

/* The host's device nodes, recreated in /dev under --security=insecure. */
struct host_dev { char *path; mode_t mode; dev_t rdev; uid_t uid; gid_t gid; };
static struct host_dev *host_devs;
static int nhost_devs;
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
    else if (!strcmp(key, "devbind")) S.dev_bind = 1;
    else if (!strcmp(key, "userns")) S.userns = 1;
    else if (!strcmp(key, "netsync")) S.net_sync = 1;
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

/* What `docker run --privileged` recreates from the host's /dev (runc's HostDevices): every
 * char and block device node, except in the directories of other instances (pts, shm, ...),
 * and the console; /dev/ptmx becomes the sandbox's own pts/ptmx. */
static void list_host_devs(const char *dir) {
  static const char *skipped[] = {"pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev", "console", "ptmx"};
  DIR *d = opendir(dir);
  if (!d) die("listing %s: %m", dir);
  for (struct dirent *e; (e = readdir(d));) {
    int skip = e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, ".."));
    for (size_t i = 0; i < sizeof skipped / sizeof skipped[0] && !skip; i++)
      skip = !strcmp(e->d_name, skipped[i]) && !strcmp(dir, "/dev");
    char path[PATH_MAX];
    struct stat st;
    if (skip || snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
        lstat(path, &st) < 0)
      continue;
    if (S_ISDIR(st.st_mode)) list_host_devs(path);
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) continue;
    if (!(nhost_devs & (nhost_devs + 1)) && !(host_devs = realloc(host_devs, (nhost_devs * 2 + 2) * sizeof *host_devs)))
      die("out of memory");
    host_devs[nhost_devs++] = (struct host_dev){strdup(path), st.st_mode, st.st_rdev, st.st_uid, st.st_gid};
  }
  closedir(d);
}

static void prepare_trees(void) {
  unsigned long long nodev = S.insecure ? 0 : MOUNT_ATTR_NODEV;
  if (S.insecure && !S.dev_bind) list_host_devs("/dev");
  else if (S.insecure) dev_trees[0] = clone_tree("/dev", AT_RECURSIVE);
  else if (S.dev_bind)
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
      /* No upper dir: a read-only view of the stacked lower dirs. */
      int writable = m->upper[0] != '\0';
      if (writable) {
        CHECK(fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", m->upper, 0), "upperdir: %m");
        CHECK(fsconfig(fs, FSCONFIG_SET_STRING, "workdir", m->work, 0), "workdir: %m");
        /* A throwaway layer: no syncfs of the host filesystem when it is unmounted (see the
         * root overlay's options in src/executor/sandbox.ts). */
        CHECK(fsconfig(fs, FSCONFIG_SET_FLAG, "volatile", NULL, 0), "volatile: %m");
      }
      /* trusted.* xattrs need the host's CAP_SYS_ADMIN; a user namespace's overlay uses user.* */
      if (S.userns) CHECK(fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0), "userxattr: %m");
      CHECK(fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0), "overlay for %s: %m", m->target);
      m->tree = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | nodev | (writable ? 0 : MOUNT_ATTR_RDONLY));
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

/* ---- rootless: inside a user namespace ------------------------------------------------ */

static int userns_proc = -1, userns_sys = -1;

/* A new proc or sysfs mount whose attributes are set at once; -1 with errno when refused. */
static int new_fs_tree(const char *type, unsigned attrs) {
  int fs = fsopen(type, FSOPEN_CLOEXEC);
  if (fs < 0) return -1;
  int tree = -1;
  if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0) tree = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
  int err = errno;
  close(fs);
  errno = err;
  return tree;
}

/* A user namespace's root may mount proc and sysfs only while a full view of each is still
 * visible in its mount namespace, i.e. before the host root is detached; so both are made
 * here and attached after the pivot. sysfs also needs a network namespace the user namespace
 * owns; with --network=host the host's /sys is bound read-only instead, as rootless Podman does. */
static void prepare_userns_trees(void) {
  unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
  userns_proc = new_fs_tree("proc", attrs);
  CHECK(userns_proc, "mounting proc: %m");
  if (!S.insecure) attrs |= MOUNT_ATTR_RDONLY;
  userns_sys = new_fs_tree("sysfs", attrs);
  if (userns_sys < 0 && errno != EPERM) die("mounting sysfs: %m");
  if (userns_sys < 0) {
    userns_sys = clone_tree("/sys", AT_RECURSIVE);
    set_attrs(userns_sys, attrs);
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
  if (S.userns) prepare_userns_trees();
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
  if (userns_proc >= 0) attach_tree(userns_proc, "/proc", 1);
  else mount_fs("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  if (userns_sys >= 0) attach_tree(userns_sys, "/sys", 1);
  else mount_fs("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | (S.insecure ? 0 : MS_RDONLY), NULL);
  if (S.insecure) return;
  /* Docker's read-only and masked /proc and /sys paths: kernel knobs and leaks of host state. */
  static const char *ro[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
    if (mount(ro[i], ro[i], NULL, MS_BIND | MS_REC, NULL) < 0) continue;
    CHECK(mount(NULL, ro[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL),
          "read-only %s: %m", ro[i]);
  }
  static const char *masked[] = {"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
                                 "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
                                 "/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware"};
  for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++) {
    struct stat st;
    if (stat(masked[i], &st) < 0) continue;
    if (S_ISDIR(st.st_mode)) CHECK(mount("tmpfs", masked[i], "tmpfs", MS_RDONLY, "size=0"), "masking %s: %m", masked[i]);
    else CHECK(mount("/dev/null", masked[i], NULL, MS_BIND, NULL), "masking %s: %m", masked[i]);
  }
}

/* The sandbox's own null, zero, full, random, urandom and tty, made with mknod on a tmpfs of
 * their own and bound one by one onto the nodev /dev: a chmod in the step changes only these
 * inodes, and a node the step makes in /dev opens nothing (there is no devices cgroup). */
static void make_dev_trees(void) {
  mount_fs("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k");
  for (int i = 0; i < 6; i++) {
    char p[32];
    snprintf(p, sizeof p, "/dev/%s", dev_nodes[i]);
    CHECK(mknod(p, S_IFCHR | 0666, makedev(dev_numbers[i][0], dev_numbers[i][1])), "mknod %s: %m", p);
    CHECK(chmod(p, 0666), "chmod %s: %m", p); /* whatever the umask */
    dev_trees[i] = clone_tree(p, 0);
  }
  /* Lazily detached: the clones keep this tmpfs alive, and nothing else reaches it. */
  CHECK(umount2("/dev", MNT_DETACH), "detaching the device tmpfs: %m");
}

/* --security=insecure is --privileged: fresh nodes for the host's devices, never the host's
 * devtmpfs itself (whose nodes the step could chmod, chown or replace). */
static void make_host_devs(void) {
  for (int i = 0; i < nhost_devs; i++) {
    struct host_dev *d = &host_devs[i];
    char *slash = strrchr(d->path, '/');
    *slash = '\0';
    ensure_path(d->path, 1);
    *slash = '/';
    CHECK(mknod(d->path, d->mode & (S_IFMT | 07777), d->rdev), "mknod %s: %m", d->path);
    CHECK(chown(d->path, d->uid, d->gid), "chown %s: %m", d->path);
    CHECK(chmod(d->path, d->mode & 07777), "chmod %s: %m", d->path);
  }
}

static void mount_dev(void) {
  if (!S.insecure && !S.dev_bind) make_dev_trees();
  if (S.insecure && S.dev_bind) attach_tree(dev_trees[0], "/dev", 1);
  else mount_fs("tmpfs", "/dev", "tmpfs", MS_NOSUID | (S.insecure ? 0 : MS_NODEV) | MS_STRICTATIME, "mode=755,size=65536k");
  if (S.insecure && !S.dev_bind) make_host_devs();
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

/* The parent attaches user-mode networking (slirp4netns) to the new network namespace, which it
 * names by this process's host pid: /proc is still the host's here, so /proc/self is that pid.
 * Reported right after the unshare, so the attach overlaps the mount setup. */
static void announce_netns(void) {
  char pid[32];
  ssize_t n = readlink("/proc/self", pid, sizeof pid - 1);
  CHECK(n, "reading /proc/self: %m");
  pid[n] = '\0';
  status("netns-ready %s", pid);
}

/* The command must not start before its network is up: one byte on NET_SYNC_FD says it is;
 * EOF means the parent could not attach it (and reports why). */
static void wait_network(void) {
  char go;
  ssize_t n;
  while ((n = read(NET_SYNC_FD, &go, 1)) < 0 && errno == EINTR) {}
  if (n != 1) die("the step's network was not attached");
  close(NET_SYNC_FD);
}

/* ---- user ------------------------------------------------------------------------------ */

struct ids { uid_t uid; gid_t gid; gid_t groups[256]; int ngroups; char home[PATH_MAX]; };

static int numeric(const char *s, unsigned *out) {
  if (!*s || strspn(s, "0123456789") != strlen(s)) return 0;
  *out = strtoul(s, NULL, 10);
  return 1;
}

/* A USER id as moby checks it: strtoul would silently wrap 99999999999 to another user. */
static int user_id(const char *s, unsigned *out) {
  if (!*s || strspn(s, "0123456789") != strlen(s)) return 0;
  if (strlen(s) > 10 || strtoull(s, NULL, 10) > 2147483647ULL) die("uids and gids must be in range 0-2147483647 (USER %s)", s);
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

/* USER semantics of BuildKit (oci.GetUser, then moby's GetExecUser): no USER is 0:0 with
 * only the primary group as supplementary group; a name must exist in the image's /etc/passwd, a uid need not; an
 * explicit group replaces the supplementary groups. Parsed by hand: the host's NSS must not
 * read the image's files. */
static void resolve_user(struct ids *ids) {
  char spec[512], line[4096], *f[7], name[sizeof line] = "";
  unsigned uid = 0, gid = 0, n;
  snprintf(spec, sizeof spec, "%s", S.user && *S.user ? S.user : "0:0");
  char *group = strchr(spec, ':');
  if (group) *group++ = '\0';
  int by_uid = user_id(spec, &uid), found = 0;
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
  int group_found = group && user_id(group, &gid);
  while (gr && fgets(line, sizeof line, gr)) {
    if (split(line, f, 4) < 4 || !numeric(f[2], &n)) continue;
    if (group && !group_found && !strcmp(f[0], group)) group_found = 1, gid = n;
    else if (!group && *name && member(f[3], name) && ids->ngroups < 256) ids->groups[ids->ngroups++] = n;
  }
  if (gr) fclose(gr);
  if (group && !group_found) die("unable to find group %s: no matching entries in group file", group);
  ids->gid = gid;
  /* The primary group leads the supplementary ones, as current BuildKit (oci.WithUIDGID's
   * ensureAdditionalGids) and docker run set them: `id` shows groups=1000(app). */
  for (int i = 0; i < ids->ngroups; i++)
    if (ids->groups[i] == gid) return;
  if (ids->ngroups == 256) ids->ngroups--;
  memmove(ids->groups + 1, ids->groups, ids->ngroups * sizeof ids->groups[0]);
  ids->groups[0] = gid;
  ids->ngroups++;
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

static void drop_privileges(const struct ids *ids) {
  if (!S.insecure) {
    unsigned long long keep = 0;
    for (size_t i = 0; i < sizeof kept_caps / sizeof kept_caps[0]; i++) keep |= 1ULL << kept_caps[i];
    /* Needs CAP_SYS_ADMIN (instead of no_new_privs), so it goes first. */
    CHECK(install_default_seccomp(keep), "seccomp: %m");
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

/* Closes (or, with CLOSE_RANGE_CLOEXEC, marks close-on-exec) every fd from `first` up, as runc
 * does: Node marks only its own fds close-on-exec, so whatever the caller of tsbuild left open
 * would otherwise reach the command, and with it a host file or directory. */
static void close_fds_from(int first, unsigned flags) {
  if (syscall(SYS_close_range, first, ~0U, flags) == 0) return;
  /* Kernels before 5.9 (5.11 for the flag): walk /proc/self/fd instead. */
  DIR *dir = opendir("/proc/self/fd");
  if (!dir) die("listing open fds: %m");
  for (struct dirent *e; (e = readdir(dir));) {
    int fd = atoi(e->d_name);
    if (fd < first || fd == dirfd(dir) || e->d_name[0] == '.') continue;
    if (flags & CLOSE_RANGE_CLOEXEC) CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC), "fd %d: %m", fd);
    else close(fd);
  }
  closedir(dir);
}

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
  if (S.net_sync) announce_netns();
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
  if (S.net_sync) wait_network();
  pid_t child = fork();
  CHECK(child, "fork: %m");
  if (child == 0) {
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    setsid();
    close_fds_from(3, CLOSE_RANGE_CLOEXEC); /* the status fd stays usable until the exec */
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
  close_fds_from(S.net_sync ? FIRST_FOREIGN_FD : NET_SYNC_FD, 0);
  if (S.net_sync) CHECK(fcntl(NET_SYNC_FD, F_SETFD, FD_CLOEXEC), "network sync fd: %m");
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

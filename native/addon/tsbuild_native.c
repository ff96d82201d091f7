/*
 * The few syscalls layer tars need that Node does not expose: extended attributes
 * (every namespace, never following symlinks), mknod for device nodes and fifos, and
 * nanosecond timestamps on symlinks; and the store's read-only overlay views, mounted with
 * mount(2) rather than by running mount(8) (an exec of its own per view, 5-15 ms here).
 * Errors are thrown as Error objects with `code` (e.g. "ENOTSUP") and `syscall`, the
 * shape fs errors have, so callers can branch on code the same way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#define PATH_BUF 4096
#define NAME_BUF 256

static napi_value throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  char msg[PATH_BUF + 128];
  snprintf(msg, sizeof msg, "%s: %s, %s '%s'", syscall, strerror(err), syscall, path);
  napi_value code, message, error, sys;
  /* glibc names every errno (ENOTSUP, ENODATA, ...) the way libuv does for fs errors. */
  const char *name = strerrorname_np(err);
  if (!name) name = "EIO";
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_create_error(env, code, message, &error);
  napi_set_named_property(env, error, "syscall", sys);
  napi_value errnum;
  napi_create_int32(env, -err, &errnum);
  napi_set_named_property(env, error, "errno", errnum);
  napi_throw(env, error);
  return NULL;
}

/* Copies a JS string or Buffer argument into buf (a Buffer byte for byte: file names need not
 * be UTF-8); returns 0 and throws if it is neither, too long, or holds a NUL. */
static int get_string(napi_env env, napi_value value, char *buf, size_t size, const char *what) {
  size_t len = 0;
  bool is_buffer = false;
  if (napi_is_buffer(env, value, &is_buffer) == napi_ok && is_buffer) {
    void *data;
    napi_get_buffer_info(env, value, &data, &len);
    if (len + 1 > size) {
      napi_throw_range_error(env, NULL, "path is too long");
      return 0;
    }
    if (memchr(data, 0, len)) {
      napi_throw_type_error(env, NULL, "paths must not contain NUL bytes");
      return 0;
    }
    memcpy(buf, data, len);
    buf[len] = '\0';
    return 1;
  }
  if (napi_get_value_string_utf8(env, value, NULL, 0, &len) != napi_ok) {
    char msg[64];
    snprintf(msg, sizeof msg, "%s must be a string", what);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  if (len + 1 > size) {
    char msg[64];
    snprintf(msg, sizeof msg, "%s is too long", what);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  napi_get_value_string_utf8(env, value, buf, size, &len);
  /* An embedded NUL would silently shorten the path the kernel sees. */
  if (strlen(buf) != len) {
    napi_throw_type_error(env, NULL, "strings must not contain NUL bytes");
    return 0;
  }
  return 1;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < want) {
    napi_throw_type_error(env, NULL, "missing arguments");
    return 0;
  }
  return 1;
}

/* lgetxattrs(path) -> { name: Buffer }: all attributes the caller may read, trusted.* included for root. */
static napi_value lgetxattrs(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char path[PATH_BUF];
  if (!get_args(env, info, 1, argv) || !get_string(env, argv[0], path, sizeof path, "path")) return NULL;

  /* The list can grow between the size query and the read; retry on ERANGE. */
  char *names = NULL;
  ssize_t list_len;
  for (;;) {
    list_len = llistxattr(path, NULL, 0);
    if (list_len < 0) return throw_errno(env, errno, "llistxattr", path);
    free(names);
    names = malloc(list_len > 0 ? (size_t)list_len : 1);
    if (!names) return throw_errno(env, ENOMEM, "llistxattr", path);
    ssize_t got = llistxattr(path, names, (size_t)list_len);
    if (got >= 0) { list_len = got; break; }
    if (errno != ERANGE) { int e = errno; free(names); return throw_errno(env, e, "llistxattr", path); }
  }

  napi_value result;
  napi_create_object(env, &result);
  for (ssize_t off = 0; off < list_len; off += (ssize_t)strlen(names + off) + 1) {
    const char *name = names + off;
    void *value = NULL;
    ssize_t value_len;
    for (;;) {
      value_len = lgetxattr(path, name, NULL, 0);
      if (value_len < 0) break;
      free(value);
      value = malloc(value_len > 0 ? (size_t)value_len : 1);
      if (!value) { free(names); return throw_errno(env, ENOMEM, "lgetxattr", path); }
      ssize_t got = lgetxattr(path, name, value, (size_t)value_len);
      if (got >= 0) { value_len = got; break; }
      if (errno != ERANGE) { value_len = -1; break; }
    }
    if (value_len < 0) {
      int e = errno;
      free(value);
      /* Removed since it was listed: skip it, as if listed a moment later. */
      if (e == ENODATA) continue;
      free(names);
      return throw_errno(env, e, "lgetxattr", path);
    }
    napi_value buf;
    void *data;
    napi_create_buffer_copy(env, (size_t)value_len, value, &data, &buf);
    napi_set_named_property(env, result, name, buf);
    free(value);
  }
  free(names);
  return result;
}

/* lsetxattr(path, name, value: Buffer) */
static napi_value js_lsetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char path[PATH_BUF], name[NAME_BUF];
  if (!get_args(env, info, 3, argv) || !get_string(env, argv[0], path, sizeof path, "path") ||
      !get_string(env, argv[1], name, sizeof name, "name"))
    return NULL;
  bool is_buffer = false;
  napi_is_buffer(env, argv[2], &is_buffer);
  if (!is_buffer) {
    napi_throw_type_error(env, NULL, "value must be a Buffer");
    return NULL;
  }
  void *data;
  size_t len;
  napi_get_buffer_info(env, argv[2], &data, &len);
  if (lsetxattr(path, name, data, len, 0) != 0) return throw_errno(env, errno, "lsetxattr", path);
  return NULL;
}

/* lremovexattr(path, name) */
static napi_value js_lremovexattr(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char path[PATH_BUF], name[NAME_BUF];
  if (!get_args(env, info, 2, argv) || !get_string(env, argv[0], path, sizeof path, "path") ||
      !get_string(env, argv[1], name, sizeof name, "name"))
    return NULL;
  if (lremovexattr(path, name) != 0) return throw_errno(env, errno, "lremovexattr", path);
  return NULL;
}

/* mknod(path, mode, major, minor): mode carries the file type (S_IFCHR, S_IFBLK, S_IFIFO). */
static napi_value js_mknod(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  char path[PATH_BUF];
  if (!get_args(env, info, 4, argv) || !get_string(env, argv[0], path, sizeof path, "path")) return NULL;
  uint32_t mode, major_n, minor_n;
  if (napi_get_value_uint32(env, argv[1], &mode) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &major_n) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &minor_n) != napi_ok) {
    napi_throw_type_error(env, NULL, "mode, major and minor must be numbers");
    return NULL;
  }
  mode_t type = mode & S_IFMT;
  if (type != S_IFCHR && type != S_IFBLK && type != S_IFIFO) {
    napi_throw_range_error(env, NULL, "mknod only makes char or block devices and fifos");
    return NULL;
  }
  if (mknod(path, (mode_t)mode, makedev(major_n, minor_n)) != 0) return throw_errno(env, errno, "mknod", path);
  return NULL;
}

/* lutimens(path, sec, nsec): atime and mtime to the same instant, to the nanosecond, on the
 * link itself. fs.lutimes takes a double, which cannot hold nanoseconds past 1970 + 104 days. */
static napi_value js_lutimens(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char path[PATH_BUF];
  if (!get_args(env, info, 3, argv) || !get_string(env, argv[0], path, sizeof path, "path")) return NULL;
  int64_t sec, nsec;
  if (napi_get_value_int64(env, argv[1], &sec) != napi_ok || napi_get_value_int64(env, argv[2], &nsec) != napi_ok ||
      nsec < 0 || nsec > 999999999) {
    napi_throw_range_error(env, NULL, "sec must be an integer and nsec within 0..999999999");
    return NULL;
  }
  struct timespec times[2] = {{.tv_sec = (time_t)sec, .tv_nsec = (long)nsec}, {.tv_sec = (time_t)sec, .tv_nsec = (long)nsec}};
  if (utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) != 0) return throw_errno(env, errno, "utimensat", path);
  return NULL;
}

/* tryLockExclusive(fd) -> bool: flock(LOCK_EX | LOCK_NB). Node has no file locks; a flock
 * dies with its process, so a killed build never leaves a cache mount locked. Never blocks:
 * the caller polls, so the event loop keeps running. */
static napi_value js_try_lock_exclusive(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  int32_t fd;
  if (!get_args(env, info, 1, argv)) return NULL;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "fd must be a number");
    return NULL;
  }
  int rc;
  do rc = flock(fd, LOCK_EX | LOCK_NB);
  while (rc != 0 && errno == EINTR);
  if (rc != 0 && errno != EWOULDBLOCK) return throw_errno(env, errno, "flock", "");
  napi_get_boolean(env, rc == 0, &result);
  return result;
}

static int get_size(napi_env env, napi_value rows_v, napi_value cols_v, struct winsize *ws) {
  uint32_t rows, cols;
  if (napi_get_value_uint32(env, rows_v, &rows) != napi_ok || napi_get_value_uint32(env, cols_v, &cols) != napi_ok ||
      rows > 65535 || cols > 65535) {
    napi_throw_range_error(env, NULL, "rows and cols must be integers within 0..65535");
    return 0;
  }
  memset(ws, 0, sizeof *ws);
  ws->ws_row = (unsigned short)rows;
  ws->ws_col = (unsigned short)cols;
  return 1;
}

/* openpty(rows, cols) -> [master, slave]: a pseudo-terminal pair for `tsbuild run -t`, both close-on-exec. */
static napi_value js_openpty(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct winsize ws;
  if (!get_args(env, info, 2, argv) || !get_size(env, argv[0], argv[1], &ws)) return NULL;
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return throw_errno(env, errno, "posix_openpt", NULL);
  char name[PATH_BUF];
  if (grantpt(master) != 0 || unlockpt(master) != 0 || ptsname_r(master, name, sizeof name) != 0) {
    int err = errno;
    close(master);
    return throw_errno(env, err, "unlockpt", NULL);
  }
  int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) {
    int err = errno;
    close(master);
    return throw_errno(env, err, "open", name);
  }
  ioctl(master, TIOCSWINSZ, &ws);
  napi_value result, m, s;
  napi_create_array_with_length(env, 2, &result);
  napi_create_int32(env, master, &m);
  napi_create_int32(env, slave, &s);
  napi_set_element(env, result, 0, m);
  napi_set_element(env, result, 1, s);
  return result;
}

/* setWinsize(fd, rows, cols): a terminal resize, passed on to the pty (SIGWINCH to its foreground group). */
static napi_value js_set_winsize(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t fd;
  struct winsize ws;
  if (!get_args(env, info, 3, argv)) return NULL;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "fd must be an integer");
    return NULL;
  }
  if (!get_size(env, argv[1], argv[2], &ws)) return NULL;
  if (ioctl(fd, TIOCSWINSZ, &ws) != 0) return throw_errno(env, errno, "ioctl", NULL);
  return NULL;
}

struct overlay_mount {
  const char *cwd, *target, *options;
  int err;
  const char *syscall;
};

/* In a thread of its own, with its own working directory (unshare(CLONE_FS)), so the relative
 * lowerdirs resolve against `cwd` while the process's working directory, shared with libuv's
 * threads, never changes. */
static void *overlay_mount_thread(void *arg) {
  struct overlay_mount *m = arg;
  m->syscall = "unshare";
  if (unshare(CLONE_FS) == 0) {
    m->syscall = "chdir";
    if (chdir(m->cwd) == 0) {
      m->syscall = "mount";
      if (mount("overlay", m->target, "overlay", MS_RDONLY, m->options) == 0) return NULL;
    }
  }
  m->err = errno;
  return NULL;
}

/* mountOverlayReadOnly(cwd, target, options): `mount -t overlay overlay -o ro,OPTIONS TARGET`
 * run in `cwd`, as one syscall. */
static napi_value js_mount_overlay_read_only(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char cwd[PATH_BUF], target[PATH_BUF], options[PATH_BUF];
  if (!get_args(env, info, 3, argv) || !get_string(env, argv[0], cwd, sizeof cwd, "cwd") ||
      !get_string(env, argv[1], target, sizeof target, "target") || !get_string(env, argv[2], options, sizeof options, "options"))
    return NULL;
  struct overlay_mount m = {cwd, target, options, 0, NULL};
  pthread_t thread;
  int err = pthread_create(&thread, NULL, overlay_mount_thread, &m);
  if (err != 0) return throw_errno(env, err, "pthread_create", target);
  pthread_join(thread, NULL);
  if (m.err != 0) return throw_errno(env, m.err, m.syscall, target);
  return NULL;
}

/* unmountDetached(path): `umount -l PATH`. */
static napi_value js_unmount_detached(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char path[PATH_BUF];
  if (!get_args(env, info, 1, argv) || !get_string(env, argv[0], path, sizeof path, "path")) return NULL;
  if (umount2(path, MNT_DETACH) != 0) return throw_errno(env, errno, "umount2", path);
  return NULL;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"lgetxattrs", NULL, lgetxattrs, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lsetxattr", NULL, js_lsetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lremovexattr", NULL, js_lremovexattr, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mknod", NULL, js_mknod, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lutimens", NULL, js_lutimens, NULL, NULL, NULL, napi_enumerable, NULL},
    {"tryLockExclusive", NULL, js_try_lock_exclusive, NULL, NULL, NULL, napi_enumerable, NULL},
    {"openpty", NULL, js_openpty, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setWinsize", NULL, js_set_winsize, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mountOverlayReadOnly", NULL, js_mount_overlay_read_only, NULL, NULL, NULL, napi_enumerable, NULL},
    {"unmountDetached", NULL, js_unmount_detached, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

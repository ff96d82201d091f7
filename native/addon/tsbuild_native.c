/*
 * The few syscalls layer tars need that Node does not expose: extended attributes
 * (every namespace, never following symlinks), mknod for device nodes and fifos, and
 * nanosecond timestamps on symlinks; a directory listing with every entry's lstat in one
 * call, for the context walk; and the store's read-only overlay views, mounted with
 * mount(2) rather than by running mount(8) (an exec of its own per view, 5-15 ms here).
 * Also file hashing and comparison in C: a context hash and a layer's diff ID read every
 * byte of a 1 GB COPY, and doing it here reads into one reused buffer per thread and hashes
 * with OpenSSL (Node's own, through its headers), without a JS Buffer, a stream or a worker
 * message per file.
 * Errors are thrown as Error objects with `code` (e.g. "ENOTSUP") and `syscall`, the
 * shape fs errors have, so callers can branch on code the same way.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <openssl/evp.h>
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

static napi_value errno_error(napi_env env, int err, const char *syscall, const char *path) {
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
  return error;
}

static napi_value throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  napi_throw(env, errno_error(env, err, syscall, path));
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

/* ---- Hashing and comparing file contents ---- */

#define READ_BUF (256 * 1024)

/* One read buffer per thread (the main thread and each libuv pool thread), kept for the
 * life of the process: 256 KiB each, and no allocation per file. */
static char *thread_buffer(int which) {
  static __thread char *bufs[2];
  if (!bufs[which]) bufs[which] = malloc(READ_BUF);
  return bufs[which];
}

static ssize_t read_retry(int fd, char *buf, size_t len) {
  ssize_t n;
  do n = read(fd, buf, len);
  while (n < 0 && errno == EINTR);
  return n;
}

/* Fills buf as far as the file allows: fewer than len bytes only at its end. */
static ssize_t read_full(int fd, char *buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = read_retry(fd, buf + got, len - got);
    if (n < 0) return -1;
    if (n == 0) break;
    got += (size_t)n;
  }
  return (ssize_t)got;
}

/* Feeds up to `limit` bytes of fd to the digest (all of it when limit < 0); returns the
 * bytes read, which exceeds limit by one when the file has more, or -1 with errno set. */
static long long hash_fd(int fd, EVP_MD_CTX *ctx, long long limit) {
  char *buf = thread_buffer(0);
  if (!buf) { errno = ENOMEM; return -1; }
  long long total = 0;
  for (;;) {
    ssize_t n = read_retry(fd, buf, READ_BUF);
    if (n < 0) return -1;
    if (n == 0) return total;
    long long take = n;
    if (limit >= 0 && total + take > limit) take = limit - total;
    if (take > 0 && EVP_DigestUpdate(ctx, buf, (size_t)take) != 1) { errno = EIO; return -1; }
    total += n;
    if (limit >= 0 && total > limit) return limit + 1;
  }
}

static void hex_digest(const unsigned char *md, char *out) {
  static const char digits[] = "0123456789abcdef";
  memcpy(out, "sha256:", 7);
  for (int i = 0; i < 32; i++) {
    out[7 + 2 * i] = digits[md[i] >> 4];
    out[8 + 2 * i] = digits[md[i] & 15];
  }
  out[71] = '\0';
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  char path[PATH_BUF];
  char *prefix;
  size_t prefix_len;
  int err;
  const char *syscall;
  char digest[72];
} hash_job;

static void hash_file_execute(napi_env env, void *data) {
  (void)env;
  hash_job *job = data;
  /* The walk saw a regular file; one swapped since for a symlink or a fifo must not lead the
   * read outside the tree or block it forever. */
  int fd = open(job->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) { job->err = errno; job->syscall = "open"; return; }
  struct stat st;
  int not_regular = fstat(fd, &st) < 0 ? errno : S_ISREG(st.st_mode) ? 0 : EINVAL;
  if (not_regular) {
    job->err = not_regular;
    job->syscall = "open";
    close(fd);
    return;
  }
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  unsigned char md[32];
  unsigned int md_len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(ctx, job->prefix, job->prefix_len) != 1) {
    job->err = ENOMEM;
    job->syscall = "sha256";
  } else if (hash_fd(fd, ctx, -1) < 0) {
    job->err = errno;
    job->syscall = "read";
  } else if (EVP_DigestFinal_ex(ctx, md, &md_len) != 1) {
    job->err = EIO;
    job->syscall = "sha256";
  } else {
    hex_digest(md, job->digest);
  }
  EVP_MD_CTX_free(ctx);
  close(fd);
}

static void hash_file_complete(napi_env env, napi_status status, void *data) {
  hash_job *job = data;
  napi_value value;
  if (status != napi_ok) {
    napi_value msg;
    napi_create_string_utf8(env, "hashFile was cancelled", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &value);
    napi_reject_deferred(env, job->deferred, value);
  } else if (job->err) {
    napi_reject_deferred(env, job->deferred, errno_error(env, job->err, job->syscall, job->path));
  } else {
    napi_create_string_latin1(env, job->digest, 71, &value);
    napi_resolve_deferred(env, job->deferred, value);
  }
  napi_delete_async_work(env, job->work);
  free(job->prefix);
  free(job);
}

/* hashFile(path, prefix: Buffer) -> Promise<'sha256:<hex>'>: SHA-256 over prefix and then
 * the file's bytes, read on the libuv thread pool. */
static napi_value js_hash_file(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  hash_job *job = calloc(1, sizeof *job);
  if (!job) return throw_errno(env, ENOMEM, "hashFile", "");
  bool is_buffer = false;
  void *prefix;
  if (!get_string(env, argv[0], job->path, sizeof job->path, "path")) { free(job); return NULL; }
  if (napi_is_buffer(env, argv[1], &is_buffer) != napi_ok || !is_buffer) {
    free(job);
    napi_throw_type_error(env, NULL, "prefix must be a Buffer");
    return NULL;
  }
  napi_get_buffer_info(env, argv[1], &prefix, &job->prefix_len);
  job->prefix = malloc(job->prefix_len ? job->prefix_len : 1);
  if (!job->prefix) { free(job); return throw_errno(env, ENOMEM, "hashFile", job->path); }
  memcpy(job->prefix, prefix, job->prefix_len);
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "tsbuild:hashFile", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, hash_file_execute, hash_file_complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

static void free_md_ctx(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  EVP_MD_CTX_free(data);
}

static EVP_MD_CTX *get_md_ctx(napi_env env, napi_value value) {
  void *ctx = NULL;
  if (napi_get_value_external(env, value, &ctx) != napi_ok || !ctx) {
    napi_throw_type_error(env, NULL, "not a sha256 handle");
    return NULL;
  }
  return ctx;
}

/* sha256Begin() -> handle: a running SHA-256, freed with its handle. */
static napi_value js_sha256_begin(napi_env env, napi_callback_info info) {
  (void)info;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
    EVP_MD_CTX_free(ctx);
    return throw_errno(env, ENOMEM, "sha256", "");
  }
  napi_value handle;
  napi_create_external(env, ctx, free_md_ctx, NULL, &handle);
  return handle;
}

/* sha256Update(handle, bytes: Buffer) */
static napi_value js_sha256_update(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  EVP_MD_CTX *ctx = get_md_ctx(env, argv[0]);
  if (!ctx) return NULL;
  bool is_buffer = false;
  if (napi_is_buffer(env, argv[1], &is_buffer) != napi_ok || !is_buffer) {
    napi_throw_type_error(env, NULL, "bytes must be a Buffer");
    return NULL;
  }
  void *data;
  size_t len;
  napi_get_buffer_info(env, argv[1], &data, &len);
  if (EVP_DigestUpdate(ctx, data, len) != 1) return throw_errno(env, EIO, "sha256", "");
  return NULL;
}

/* sha256UpdateFile(handle, path, size) -> bytes read: hashes the first `size` bytes of the
 * file (not following a final symlink); the count read is size + 1 when the file has more,
 * less than size when it has fewer, so the caller can tell a file that changed. */
static napi_value js_sha256_update_file(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char path[PATH_BUF];
  int64_t size;
  if (!get_args(env, info, 3, argv)) return NULL;
  EVP_MD_CTX *ctx = get_md_ctx(env, argv[0]);
  if (!ctx || !get_string(env, argv[1], path, sizeof path, "path")) return NULL;
  if (napi_get_value_int64(env, argv[2], &size) != napi_ok || size < 0) {
    napi_throw_range_error(env, NULL, "size must be a non-negative integer");
    return NULL;
  }
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, errno, "open", path);
  long long got = hash_fd(fd, ctx, size);
  int err = errno;
  close(fd);
  if (got < 0) return throw_errno(env, err, "read", path);
  napi_value result;
  napi_create_int64(env, got, &result);
  return result;
}

/* sha256Digest(handle) -> 'sha256:<hex>'; the handle is spent. */
static napi_value js_sha256_digest(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  EVP_MD_CTX *ctx = get_md_ctx(env, argv[0]);
  if (!ctx) return NULL;
  unsigned char md[32];
  unsigned int md_len = 0;
  char out[72];
  if (EVP_DigestFinal_ex(ctx, md, &md_len) != 1) return throw_errno(env, EIO, "sha256", "");
  hex_digest(md, out);
  napi_value result;
  napi_create_string_latin1(env, out, 71, &result);
  return result;
}

/* sameFileBytes(a, b, size) -> bool: both files (final symlinks not followed) hold exactly
 * `size` bytes, the same ones. */
static napi_value js_same_file_bytes(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char a[PATH_BUF], b[PATH_BUF];
  int64_t size;
  if (!get_args(env, info, 3, argv) || !get_string(env, argv[0], a, sizeof a, "path") || !get_string(env, argv[1], b, sizeof b, "path"))
    return NULL;
  if (napi_get_value_int64(env, argv[2], &size) != napi_ok || size < 0) {
    napi_throw_range_error(env, NULL, "size must be a non-negative integer");
    return NULL;
  }
  char *ba = thread_buffer(0), *bb = thread_buffer(1);
  if (!ba || !bb) return throw_errno(env, ENOMEM, "sameFileBytes", a);
  int fa = open(a, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fa < 0) return throw_errno(env, errno, "open", a);
  int fb = open(b, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fb < 0) {
    int err = errno;
    close(fa);
    return throw_errno(env, err, "open", b);
  }
  bool same = true;
  int err = 0;
  const char *failed = a;
  long long pos = 0;
  for (;;) {
    ssize_t na = read_full(fa, ba, READ_BUF);
    if (na < 0) { err = errno; break; }
    ssize_t nb = read_full(fb, bb, READ_BUF);
    if (nb < 0) { err = errno; failed = b; break; }
    pos += na;
    if (na != nb || memcmp(ba, bb, (size_t)na) != 0 || pos > size) { same = false; break; }
    if (na < READ_BUF) { same = pos == size; break; }
  }
  close(fa);
  close(fb);
  if (err) return throw_errno(env, err, "read", failed);
  napi_value result;
  napi_get_boolean(env, same, &result);
  return result;
}

/* Fields per entry in scanDir's numbers, in this order; src/native.ts names them. */
enum { SCAN_MODE, SCAN_UID, SCAN_GID, SCAN_SIZE, SCAN_MTIME_SEC, SCAN_MTIME_NSEC, SCAN_CTIME_SEC, SCAN_CTIME_NSEC, SCAN_INO_HIGH, SCAN_INO_LOW, SCAN_FIELDS };

/* Growable byte buffer for scanDir's output. */
struct grow {
  char *data;
  size_t len, cap;
};

static int grow_reserve(struct grow *g, size_t more) {
  if (g->len + more <= g->cap) return 1;
  size_t cap = g->cap ? g->cap : 4096;
  while (cap < g->len + more) cap *= 2;
  char *data = realloc(g->data, cap);
  if (!data) return 0;
  g->data = data;
  g->cap = cap;
  return 1;
}

/* One listed entry while a scan collects them: where its name starts in the name bytes. */
struct scan_entry {
  size_t name;
  double f[SCAN_FIELDS];
};

/* Names are compared as bytes (strcmp compares unsigned chars): the order digests and copies use. */
static int scan_order(const void *a, const void *b, void *names) {
  return strcmp((const char *)names + ((const struct scan_entry *)a)->name, (const char *)names + ((const struct scan_entry *)b)->name);
}

/* One directory to scan and, once scanned, what it held (or why it could not be read). */
struct scan_job {
  char *path;
  char *prefix;
  int gone;              /* the directory does not exist (any more) */
  int err;               /* errno of a failure, with the call and the entry it was about */
  const char *err_call;
  const char *err_name;
  struct grow names, entries;
  size_t count;
};

/* Lists one directory with the lstat of every entry but . and .., sorted by name; touches no
 * JS value, so it runs on any thread. An entry removed between readdir and fstatat is left
 * out, as if listed a moment later. */
static void scan_collect(struct scan_job *j) {
  DIR *dir = opendir(j->path);
  if (!dir) {
    if (errno == ENOENT) j->gone = 1;
    else {
      j->err = errno;
      j->err_call = "opendir";
    }
    return;
  }
  for (;;) {
    errno = 0;
    struct dirent *e = readdir(dir);
    if (!e) {
      if (errno) {
        j->err = errno;
        j->err_call = "readdir";
      }
      break;
    }
    const char *n = e->d_name;
    if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'))) continue;
    struct stat st;
    if (fstatat(dirfd(dir), n, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;
      j->err = errno;
      j->err_call = "lstat";
      j->err_name = strdup(n);
      break;
    }
    size_t nlen = strlen(n) + 1;
    if (!grow_reserve(&j->names, nlen) || !grow_reserve(&j->entries, sizeof(struct scan_entry))) {
      j->err = ENOMEM;
      j->err_call = "readdir";
      break;
    }
    struct scan_entry *entry = (struct scan_entry *)(j->entries.data + j->entries.len);
    j->entries.len += sizeof(struct scan_entry);
    entry->name = j->names.len;
    memcpy(j->names.data + j->names.len, n, nlen);
    j->names.len += nlen;
    double *f = entry->f;
    f[SCAN_MODE] = st.st_mode;
    f[SCAN_UID] = st.st_uid;
    f[SCAN_GID] = st.st_gid;
    f[SCAN_SIZE] = (double)st.st_size;
    f[SCAN_MTIME_SEC] = (double)st.st_mtim.tv_sec;
    f[SCAN_MTIME_NSEC] = (double)st.st_mtim.tv_nsec;
    f[SCAN_CTIME_SEC] = (double)st.st_ctim.tv_sec;
    f[SCAN_CTIME_NSEC] = (double)st.st_ctim.tv_nsec;
    f[SCAN_INO_HIGH] = (double)((uint64_t)st.st_ino >> 32);
    f[SCAN_INO_LOW] = (double)((uint64_t)st.st_ino & 0xffffffffu);
    j->count++;
  }
  closedir(dir);
  if (!j->err && j->count > 1) qsort_r(j->entries.data, j->count, sizeof(struct scan_entry), scan_order, j->names.data);
}

/* Every other job, from `first`: the helper thread's half of a batch. */
struct scan_half {
  struct scan_job *jobs;
  size_t count, first;
};

static void *scan_half_run(void *arg) {
  struct scan_half *h = arg;
  for (size_t i = h->first; i < h->count; i += 2) scan_collect(&h->jobs[i]);
  return NULL;
}

/* [names, numbers] for a scanned job: each name after the job's prefix, NUL-terminated. */
static napi_value scan_result(napi_env env, struct scan_job *j) {
  size_t plen = strlen(j->prefix);
  struct scan_entry *list = (struct scan_entry *)j->entries.data;
  napi_value result, names_v, nums_v, nums_ab;
  char *name_out;
  double *nums_out;
  napi_create_buffer(env, j->names.len + j->count * plen, (void **)&name_out, &names_v);
  napi_create_arraybuffer(env, j->count * SCAN_FIELDS * sizeof(double), (void **)&nums_out, &nums_ab);
  for (size_t i = 0, at = 0; i < j->count; i++) {
    size_t nlen = strlen(j->names.data + list[i].name) + 1;
    memcpy(name_out + at, j->prefix, plen);
    memcpy(name_out + at + plen, j->names.data + list[i].name, nlen);
    at += plen + nlen;
    memcpy(nums_out + i * SCAN_FIELDS, list[i].f, sizeof list[i].f);
  }
  napi_create_typedarray(env, napi_float64_array, j->count * SCAN_FIELDS, nums_ab, 0, &nums_v);
  napi_create_array_with_length(env, 2, &result);
  napi_set_element(env, result, 0, names_v);
  napi_set_element(env, result, 1, nums_v);
  return result;
}

/* scanDirs(paths[], prefixes[]) -> ([names: Buffer, numbers: Float64Array] | null)[]: each
 * directory's entries with their lstat (fstatat, AT_SYMLINK_NOFOLLOW), sorted by name bytes,
 * null for one that does not exist (any more). Names are raw bytes after the directory's
 * prefix (a walk wants paths relative to its root, one string per entry), each followed by a
 * NUL; SCAN_FIELDS numbers per entry. One call per level of a walk instead of one lstat per
 * file: a no-op build is mostly this walk, and per-call overhead (and Node's BigInt stats)
 * cost more than the syscalls. A batch of several directories is split with a second thread:
 * the syscalls are most of what is left, and the machine has another core. */
static napi_value js_scan_dirs(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  uint32_t count = 0, prefixes = 0;
  if (napi_get_array_length(env, argv[0], &count) != napi_ok || napi_get_array_length(env, argv[1], &prefixes) != napi_ok ||
      count != prefixes) {
    napi_throw_type_error(env, NULL, "paths and prefixes must be arrays of the same length");
    return NULL;
  }
  struct scan_job *jobs = calloc(count ? count : 1, sizeof *jobs);
  if (!jobs) return throw_errno(env, ENOMEM, "scandir", "");
  napi_value result = NULL;
  for (uint32_t i = 0; i < count; i++) {
    napi_value path, prefix;
    char buf[PATH_BUF];
    napi_get_element(env, argv[0], i, &path);
    napi_get_element(env, argv[1], i, &prefix);
    if (!get_string(env, path, buf, sizeof buf, "path")) goto done;
    jobs[i].path = strdup(buf);
    if (!get_string(env, prefix, buf, sizeof buf, "prefix")) goto done;
    jobs[i].prefix = strdup(buf);
    if (!jobs[i].path || !jobs[i].prefix) {
      throw_errno(env, ENOMEM, "scandir", "");
      goto done;
    }
  }
  pthread_t helper;
  struct scan_half half = {jobs, count, 1};
  int helped = count > 1 && pthread_create(&helper, NULL, scan_half_run, &half) == 0;
  for (size_t i = 0; i < count; i += helped ? 2 : 1) scan_collect(&jobs[i]);
  if (helped) pthread_join(helper, NULL);
  for (uint32_t i = 0; i < count; i++) {
    if (jobs[i].err) {
      char where[PATH_BUF + NAME_BUF + 2];
      snprintf(where, sizeof where, "%s%s%s", jobs[i].path, jobs[i].err_name ? "/" : "", jobs[i].err_name ? jobs[i].err_name : "");
      throw_errno(env, jobs[i].err, jobs[i].err_call, where);
      goto done;
    }
  }
  napi_create_array_with_length(env, count, &result);
  for (uint32_t i = 0; i < count; i++) {
    napi_value one;
    if (jobs[i].gone) napi_get_null(env, &one);
    else one = scan_result(env, &jobs[i]);
    napi_set_element(env, result, i, one);
  }
done:
  for (uint32_t i = 0; i < count; i++) {
    free(jobs[i].path);
    free(jobs[i].prefix);
    free((char *)jobs[i].err_name);
    free(jobs[i].names.data);
    free(jobs[i].entries.data);
  }
  free(jobs);
  return result;
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
    {"hashFile", NULL, js_hash_file, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sha256Begin", NULL, js_sha256_begin, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sha256Update", NULL, js_sha256_update, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sha256UpdateFile", NULL, js_sha256_update_file, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sha256Digest", NULL, js_sha256_digest, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sameFileBytes", NULL, js_same_file_bytes, NULL, NULL, NULL, napi_enumerable, NULL},
    {"scanDirs", NULL, js_scan_dirs, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mountOverlayReadOnly", NULL, js_mount_overlay_read_only, NULL, NULL, NULL, napi_enumerable, NULL},
    {"unmountDetached", NULL, js_unmount_detached, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

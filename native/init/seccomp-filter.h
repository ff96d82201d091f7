#ifndef TSBUILD_SECCOMP_FILTER_H
#define TSBUILD_SECCOMP_FILTER_H

/* Installs Docker's default seccomp profile for a process whose capability bounding set is
 * `caps` (bit n = capability n), plus tsbuild's rule against block-device mknod. Returns 0,
 * or -1 with errno set. Needs CAP_SYS_ADMIN or no_new_privs, like any seccomp filter. */
int install_default_seccomp(unsigned long long caps);

#endif

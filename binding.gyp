{
  "targets": [
    {
      "target_name": "tsbuild_native",
      "sources": ["native/addon/tsbuild_native.c"],
      "cflags": ["-O2", "-Wall"]
    },
    {
      "target_name": "tsbuild_sqlite",
      "sources": ["native/sqlite/tsbuild_sqlite.c"],
      "include_dirs": ["<!(node -p \"require('path').dirname(require.resolve('better-sqlite3/package.json'))\")/deps/sqlite3"],
      "cflags": ["-O2", "-Wall"]
    },
    {
      "target_name": "tsbuild-init",
      "type": "executable",
      "sources": ["native/init/tsbuild-init.c", "native/init/seccomp-filter.c"],
      "cflags": ["-O2", "-Wall"]
    },
    {
      "target_name": "tsbuild-userns",
      "type": "executable",
      "sources": ["native/userns/tsbuild-userns.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}

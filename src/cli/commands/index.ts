// One file per `tsbuild` subcommand: its usage text, its flags, and the call into
// the API (solver, store, transfer, registry) that does the work.
// Commands never touch SQLite or the filesystem layout of the store.

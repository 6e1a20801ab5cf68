package journal

// WithSQLitePragmas adds pragmas to every SQLite connection of a store opened with the
// returned options: tests use it to make the storage fail on purpose.
func WithSQLitePragmas(o Options, pragmas ...string) Options {
	o.sqlitePragmas = append(o.sqlitePragmas, pragmas...)
	return o
}

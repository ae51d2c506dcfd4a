// Package config loads dispatchoor's configuration file.
//
// The native format is TOML. A configuration file of the reference system
// (YAML) loads too, key for key: YAML nesting maps onto the same tables. Its
// `database` section is accepted and ignored with a warning, since the
// write-ahead log in `storage.dir` replaced the database.
//
// Loading runs in this order, and writes nothing anywhere:
//
//  1. ${VAR} and ${VAR:-default} are replaced from the environment (see
//     expand.go for the exact rules; $$ is a literal $, a bare $NAME is left
//     alone).
//  2. The document is decoded over [Default], so an omitted key keeps its
//     default. An unknown key is an error that names it: a typo must not
//     silently do nothing.
//  3. Each group's templates are collected: inline ones, then every
//     template file (relative paths are resolved against the config file's
//     directory), then every template URL (fetched with a timeout, a size cap
//     and a guard against private addresses).
//  4. Zero values that mean "default" are filled in, then everything is
//     validated. Every problem found is reported at once (errors.Join), each
//     naming the key and the group or template it belongs to.
//
// No other package reads the file: they receive a *Config, and should log it
// only through [Config.Redacted], which hides every secret.
package config

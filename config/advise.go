package config

// advise adds warnings for settings that are valid but most likely not what
// the operator meant. It runs on a config that passed validation.
func advise(c *Config) {
	warn := func(s string) { c.Warnings = append(c.Warnings, s) }
	if c.GitHub.Token == "" && c.GitHub.APIURL == Default().GitHub.APIURL {
		warn("github.token is empty: api.github.com allows 60 unauthenticated requests per hour and no workflow dispatch")
	}
	if !c.Cluster.Enabled && len(c.Cluster.Peers) > 0 {
		warn("cluster.peers is ignored: cluster.enabled is false")
	}
	if !c.Auth.Basic.Enabled && len(c.Auth.Basic.Users) > 0 {
		warn("auth.basic.users is ignored: auth.basic.enabled is false")
	}
	if len(c.Server.CORSOrigins) == 1 && c.Server.CORSOrigins[0] == "*" {
		warn(`server.cors_origins = ["*"] lets any web page send requests with a signed-in user's session cookie`)
	}
}

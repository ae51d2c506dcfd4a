// Package httpd is dispatchoor's REST API server on fasthttp: the routes of
// the reference system under /api/v1, session and basic-user authentication,
// per-IP rate limits, CORS, /health, /metrics and the embedded dashboard.
//
// The package holds no state of its own beyond rate-limit buckets. Every read
// and write goes through the Service interface (implemented by the actors
// package), so a request either commits its event there or changes nothing:
// handlers validate the whole request before they call a mutating method, and
// call at most one.
//
// One route table (routes.go) is the single source of truth for paths,
// methods, rate tiers and roles. The router, the authorization middleware,
// the generated OpenAPI document and the authorization-matrix test all read
// it, so a route cannot exist without an access decision.
//
// Other packages import it as httpd:
//
//	import httpd "github.com/dispatchoor/dispatchoor/http"
package httpd

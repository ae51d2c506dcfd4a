package sim

import (
	"net/http"
	"strings"
)

// Token kinds (TokenConfig.Kind).
const (
	tokenPAT         = "pat"
	tokenApp         = "app"
	tokenGitHubToken = "github_token"
	tokenOAuth       = "oauth"
)

var tokenKinds = map[string]bool{tokenPAT: true, tokenApp: true, tokenGitHubToken: true, tokenOAuth: true}

// token is an accepted credential.
type token struct {
	value  string
	kind   string
	login  string
	userID int64
	limit  int
	perms  map[string]bool // empty: everything
	repos  map[string]bool // lower-case "owner/name"; empty: every repo
	scope  string          // OAuth scope granted at sign-in
	oauth  *OAuthUser      // set for tokens issued by the OAuth flow
}

func (t *token) can(perm string) bool {
	return perm == "" || len(t.perms) == 0 || t.perms[perm]
}

func (t *token) sees(r *repo) bool {
	return len(t.repos) == 0 || t.repos[strings.ToLower(r.fullName())]
}

// forbidden is the 403 a token without the needed permission gets; GitHub
// words it by credential type.
func (t *token) forbidden() *response {
	msg := "Resource not accessible by personal access token"
	if t.kind == tokenApp || t.kind == tokenGitHubToken {
		msg = "Resource not accessible by integration"
	}
	return errorResponse(http.StatusForbidden, msg, docREST)
}

// bearer extracts the token of "Authorization: Bearer X" or "token X".
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	for _, p := range []string{"Bearer ", "bearer ", "token ", "Token "} {
		if strings.HasPrefix(h, p) {
			return strings.TrimSpace(h[len(p):])
		}
	}
	return ""
}

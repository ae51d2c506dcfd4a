package sim

import (
	"net/http"
)

// handleMeta answers GET /meta. On GHES it carries installed_version, which
// clients use to decide whether to send return_run_details (spec §0.1).
func (s *Sim) handleMeta(q *request) *response {
	body := map[string]any{
		"verifiable_password_authentication": true,
		"hooks":                              []string{"127.0.0.1/32"},
		"api":                                []string{"127.0.0.1/32"},
		"actions":                            []string{"127.0.0.1/32"},
	}
	if s.mode.ghes {
		body["installed_version"] = s.mode.version
	}
	return jsonResponse(http.StatusOK, body)
}

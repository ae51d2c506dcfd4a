package httpd

import (
	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

type loginResponse struct {
	Token string   `json:"token"`
	User  userView `json:"user"`
}

// login handles POST /api/v1/auth/login.
func (s *Server) login(c *call) (int, any, error) {
	req, err := decodeLogin(c.body())
	if err != nil {
		return 0, nil, err
	}
	acct, ok := s.auth.checkPassword(req.Username, req.Password)
	if !ok {
		return 0, nil, &apiError{status: fasthttp.StatusUnauthorized, msg: "Invalid credentials"}
	}
	tok, err := newToken(s.opts.random)
	if err != nil {
		return 0, nil, err
	}
	id, err := newUUID(s.opts.random)
	if err != nil {
		return 0, nil, err
	}
	now := s.opts.Now()
	sess := state.Session{
		TokenHash: HashToken(tok),
		ID:        id,
		UserID:    acct.id,
		Username:  acct.username,
		Role:      acct.role,
		Provider:  ProviderBasic,
		CreatedAt: now,
		ExpiresAt: now.Add(s.opts.SessionTTL),
	}
	who := c.who()
	who.Username = acct.username
	if err := s.svc.CreateSession(c.c, who, sess); err != nil {
		return 0, nil, err
	}
	s.setSessionCookie(c.ctx, tok, int(s.opts.SessionTTL.Seconds()))
	p, _ := s.auth.principal(&sess)
	return fasthttp.StatusOK, loginResponse{Token: tok, User: p.user()}, nil
}

// logout handles POST /api/v1/auth/logout: it revokes only the session
// presented.
func (s *Server) logout(c *call) (int, any, error) {
	if err := decodeNoBody(c.body()); err != nil {
		return 0, nil, err
	}
	p := PrincipalFrom(c.ctx)
	if err := s.svc.RevokeSession(c.c, c.who(), p.TokenHash); err != nil {
		return 0, nil, err
	}
	s.setSessionCookie(c.ctx, "", -1)
	return fasthttp.StatusNoContent, nil, nil
}

// me handles GET /api/v1/auth/me.
func (s *Server) me(c *call) (int, any, error) {
	return fasthttp.StatusOK, PrincipalFrom(c.ctx).user(), nil
}

package sim

import (
	"fmt"
	"strconv"
	"strings"
)

// pager is the page window of a list request (spec §0.5, §8.8).
type pager struct {
	perPage, page int
	lo, hi        int // slice bounds into the full result
	last          int // number of the last page (>= 1)
}

func newPager(q *request, total int) pager {
	per := 30
	if v, err := strconv.Atoi(q.query.Get("per_page")); err == nil && v > 0 {
		per = min(v, 100)
	}
	page := 1
	if v, err := strconv.Atoi(q.query.Get("page")); err == nil && v > 0 {
		page = v
	}
	last := max((total+per-1)/per, 1)
	lo := min((page-1)*per, total)
	hi := min(lo+per, total)
	return pager{perPage: per, page: page, lo: lo, hi: hi, last: last}
}

// link builds the RFC 5988 Link header with absolute URLs on the public
// base, keeping every other query parameter; empty when one page suffices.
func (p pager) link(s *Sim, q *request) string {
	if p.last <= 1 && p.page <= 1 {
		return ""
	}
	pageURL := func(n int) string {
		v := make(map[string][]string, len(q.query))
		for k, vs := range q.query {
			v[k] = vs
		}
		v["page"] = []string{strconv.Itoa(n)}
		if _, ok := v["per_page"]; !ok && p.perPage != 30 {
			v["per_page"] = []string{strconv.Itoa(p.perPage)}
		}
		return s.apiBase(q.base) + q.path + "?" + encodeSorted(v)
	}
	var parts []string
	if p.page > 1 {
		parts = append(parts, fmt.Sprintf(`<%s>; rel="prev"`, pageURL(min(p.page-1, p.last))))
	}
	if p.page < p.last {
		parts = append(parts, fmt.Sprintf(`<%s>; rel="next"`, pageURL(p.page+1)))
		parts = append(parts, fmt.Sprintf(`<%s>; rel="last"`, pageURL(p.last)))
	}
	if p.page > 1 {
		parts = append(parts, fmt.Sprintf(`<%s>; rel="first"`, pageURL(1)))
	}
	return strings.Join(parts, ", ")
}

// setLink adds the Link header to resp when there is more than one page.
func (p pager) setLink(s *Sim, q *request, resp *response) *response {
	if l := p.link(s, q); l != "" {
		resp.header.Set("Link", l)
	}
	return resp
}

package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

type deliveryJSON struct {
	ID             int64   `json:"id"`
	GUID           string  `json:"guid"`
	DeliveredAt    stamp   `json:"delivered_at"`
	Redelivery     bool    `json:"redelivery"`
	Duration       float64 `json:"duration"`
	Status         string  `json:"status"`
	StatusCode     int     `json:"status_code"`
	Event          string  `json:"event"`
	Action         *string `json:"action"`
	InstallationID *int64  `json:"installation_id"`
	RepositoryID   int64   `json:"repository_id"`
	ThrottledAt    *stamp  `json:"throttled_at"`
}

func deliveryWire(d *delivery) deliveryJSON {
	status := d.status
	if !d.done {
		status = "Pending"
	}
	return deliveryJSON{ID: d.id, GUID: d.guid, DeliveredAt: stamp(d.at), Redelivery: d.redelivery,
		Duration: d.duration, Status: status, StatusCode: d.statusCode, Event: d.event,
		Action: strPtr(d.action), RepositoryID: d.repoID}
}

// hookForRequest finds {hook} among the hooks of the org or repository in
// the path.
func (s *Sim) hookForRequest(q *request) *hook {
	id, ok := parseID(q.params["hook"])
	if !ok {
		return nil
	}
	for _, h := range s.w.hooks {
		if h.id != id {
			continue
		}
		if q.repo != nil && h.scope == "repo" && strings.EqualFold(h.owner, q.repo.owner.login) && strings.EqualFold(h.repo, q.repo.name) {
			return h
		}
		if q.org != nil && h.scope == "org" && strings.EqualFold(h.owner, q.org.login) {
			return h
		}
	}
	return nil
}

// handleListDeliveries lists a hook's deliveries newest first with cursor
// pagination, as GitHub does.
func (s *Sim) handleListDeliveries(q *request) *response {
	h := s.hookForRequest(q)
	if h == nil {
		return notFound()
	}
	s.webhooks.pruneLocked(q.now)
	per := 30
	if v, err := strconv.Atoi(q.query.Get("per_page")); err == nil && v > 0 {
		per = min(v, 100)
	}
	var cursor int64
	if v := q.query.Get("cursor"); v != "" {
		cursor, _ = strconv.ParseInt(v, 10, 64)
	}
	out := []deliveryJSON{}
	more := false
	var last int64
	ds := s.webhooks.deliveries
	for i := len(ds) - 1; i >= 0; i-- {
		d := ds[i]
		if d.hook != h || (cursor != 0 && d.id >= cursor) {
			continue
		}
		if len(out) == per {
			more = true
			break
		}
		out = append(out, deliveryWire(d))
		last = d.id
	}
	resp := jsonResponse(http.StatusOK, out)
	if more {
		next := fmt.Sprintf("%s%s?per_page=%d&cursor=%d", s.apiBase(q.base), q.path, per, last)
		resp.header.Set("Link", fmt.Sprintf(`<%s>; rel="next"`, next))
	}
	return resp
}

func (s *Sim) deliveryForRequest(q *request) *delivery {
	h := s.hookForRequest(q)
	id, ok := parseID(q.params["delivery"])
	if h == nil || !ok {
		return nil
	}
	for _, d := range s.webhooks.deliveries {
		if d.id == id && d.hook == h {
			return d
		}
	}
	return nil
}

func (s *Sim) handleGetDelivery(q *request) *response {
	d := s.deliveryForRequest(q)
	if d == nil {
		return notFound()
	}
	flat := func(h http.Header) map[string]string {
		m := map[string]string{}
		for k := range h {
			m[k] = h.Get(k)
		}
		return m
	}
	body := map[string]any{}
	b, _ := json.Marshal(deliveryWire(d))
	_ = json.Unmarshal(b, &body)
	body["url"] = d.hook.url
	body["request"] = map[string]any{"headers": flat(d.reqHeaders), "payload": json.RawMessage(d.payload)}
	body["response"] = map[string]any{"headers": flat(d.respHeaders), "payload": d.respBody}
	return jsonResponse(http.StatusOK, body)
}

// handleRedeliver re-sends a delivery: same body, same X-GitHub-Delivery,
// recorded as a new delivery with redelivery=true (spec §8.9).
func (s *Sim) handleRedeliver(q *request) *response {
	d := s.deliveryForRequest(q)
	if d == nil {
		return notFound()
	}
	again := &delivery{guid: d.guid, hook: d.hook, event: d.event, action: d.action, repoID: d.repoID,
		targetID: d.targetID, payload: d.payload, redelivery: true}
	s.webhooks.dueLocked(again, q.now)
	return jsonResponse(http.StatusAccepted, map[string]any{})
}

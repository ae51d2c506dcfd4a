package httpd

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/dispatchoor/dispatchoor/actors"
)

// The encoders below write jobs exactly as encoding/json would (field
// order, null and omitempty rules, escaping, RFC 3339 times, sorted map
// keys), but without reflection: a group's queue can hold ten thousand jobs
// and is read on every dashboard refresh, where reflection dominated the
// time. TestJobJSONMatchesEncodingJSON holds the two equal.

// jobInfoList is a list of jobs answered as []jobView, encoded one view at a
// time so a large queue never exists twice in memory as views.
type jobInfoList []actors.JobInfo

func (l jobInfoList) appendJSON(b []byte) []byte {
	b = append(b, '[')
	for i := range l {
		if i > 0 {
			b = append(b, ',')
		}
		v := newJobView(l[i])
		b = appendJobView(b, &v)
	}
	return append(b, ']')
}

// MarshalJSON lets encoding/json (tests, other writers) encode the list too.
func (l jobInfoList) MarshalJSON() ([]byte, error) { return l.appendJSON(nil), nil }

func appendJobView(b []byte, v *jobView) []byte {
	b = appendJobHead(b, v)
	var eta time.Time
	if v.ETA != nil {
		eta = *v.ETA
	}
	b = appendJobWait(b, v.PendingReason, eta)
	b = appendJobTail(b, v)
	return append(b, '}')
}

// A job's JSON is cut in three so that what a read computes (the pending
// reason and ETA, in the middle) can sit between cached parts: the head
// (from the opening brace through labels) and the tail (the optional
// fields after eta, without the closing brace) depend only on the job.

func appendJobHead(b []byte, v *jobView) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, v.ID)
	b = append(b, `,"group_id":`...)
	b = appendString(b, v.GroupID)
	b = append(b, `,"template_id":`...)
	b = appendString(b, v.TemplateID)
	b = append(b, `,"priority":`...)
	b = strconv.AppendInt(b, int64(v.Priority), 10)
	b = append(b, `,"position":`...)
	b = strconv.AppendInt(b, v.Position, 10)
	b = append(b, `,"status":`...)
	b = appendString(b, string(v.Status))
	b = append(b, `,"paused":`...)
	b = strconv.AppendBool(b, v.Paused)
	b = append(b, `,"auto_requeue":`...)
	b = strconv.AppendBool(b, v.AutoRequeue)
	b = append(b, `,"requeue_limit":`...)
	if v.RequeueLimit == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*v.RequeueLimit), 10)
	}
	b = append(b, `,"requeue_count":`...)
	b = strconv.AppendInt(b, int64(v.RequeueCount), 10)
	b = append(b, `,"inputs":`...)
	b = appendStringMap(b, v.Inputs)
	b = append(b, `,"created_by":`...)
	b = appendString(b, v.CreatedBy)
	b = append(b, `,"triggered_at":`...)
	b = appendTimePtr(b, v.TriggeredAt)
	b = append(b, `,"run_id":`...)
	b = appendInt64Ptr(b, v.RunID)
	b = append(b, `,"run_url":`...)
	b = appendString(b, v.RunURL)
	b = append(b, `,"runner_id":`...)
	b = appendInt64Ptr(b, v.RunnerID)
	b = append(b, `,"runner_name":`...)
	b = appendString(b, v.RunnerName)
	b = append(b, `,"completed_at":`...)
	b = appendTimePtr(b, v.CompletedAt)
	b = append(b, `,"error_message":`...)
	b = appendString(b, v.ErrorMessage)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, v.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, v.UpdatedAt)
	for _, f := range [...]struct {
		key string
		v   *string
	}{{`,"name":`, v.Name}, {`,"owner":`, v.Owner}, {`,"repo":`, v.Repo}, {`,"workflow_id":`, v.WorkflowID}, {`,"ref":`, v.Ref}} {
		if f.v != nil {
			b = append(b, f.key...)
			b = appendString(b, *f.v)
		}
	}
	if len(v.Labels) > 0 {
		b = append(b, `,"labels":`...)
		b = appendStringMap(b, v.Labels)
	}
	return b
}

// appendJobWait writes the pending reason and ETA (zero: none).
func appendJobWait(b []byte, reason string, eta time.Time) []byte {
	b = appendOptString(b, `,"pending_reason":`, reason)
	if eta.IsZero() {
		return b
	}
	return appendTime(append(b, `,"eta":`...), eta)
}

func appendJobTail(b []byte, v *jobView) []byte {
	b = appendOptTime(b, `,"dispatching_at":`, v.DispatchingAt)
	b = appendOptTime(b, `,"started_at":`, v.StartedAt)
	b = appendOptString(b, `,"dispatch_key":`, v.DispatchKey)
	b = appendOptString(b, `,"conclusion":`, v.Conclusion)
	if v.CancelRequested {
		b = append(b, `,"cancel_requested":true`...)
	}
	return appendOptString(b, `,"previous_job_id":`, v.PreviousJobID)
}

func appendOptString(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendString(append(b, key...), s)
}

func appendOptTime(b []byte, key string, t *time.Time) []byte {
	if t == nil {
		return b
	}
	return appendTime(append(b, key...), *t)
}

func appendTimePtr(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	return appendTime(b, *t)
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendInt64Ptr(b []byte, p *int64) []byte {
	if p == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *p, 10)
}

func appendStringMap(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does with HTML escaping on (its
// default): <, > and & as \u003c etc., control characters, invalid UTF-8 as
// \ufffd, and U+2028/U+2029, which break JavaScript string literals.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

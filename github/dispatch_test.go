package github

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"
)

// dispatchBody is the request body GitHub receives.
type dispatchBody struct {
	Ref              string         `json:"ref"`
	Inputs           map[string]any `json:"inputs"`
	ReturnRunDetails *bool          `json:"return_run_details"`
}

func decodeDispatch(t *testing.T, r *http.Request) dispatchBody {
	t.Helper()
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("read dispatch body: %v", err)
	}
	var b dispatchBody
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Errorf("decode dispatch body %q: %v", raw, err)
	}
	return b
}

func baseRequest() DispatchRequest {
	return DispatchRequest{Owner: "acme", Repo: "app", WorkflowID: "deploy.yml", Ref: "main",
		Inputs: map[string]string{"distinct_id": "q-7f3a", "target": "mainnet"}, ReturnRunDetails: true}
}

func TestDispatch_200WithRunDetails(t *testing.T) {
	f := newFakeGitHub(t)
	var got dispatchBody
	f.handle("POST /repos/acme/app/actions/workflows/deploy.yml/dispatches", func(w http.ResponseWriter, r *http.Request) {
		got = decodeDispatch(t, r)
		writeJSON(t, w, http.StatusOK, map[string]any{
			"workflow_run_id": int64(22222222222),
			"run_url":         "https://api.github.com/repos/acme/app/actions/runs/22222222222",
			"html_url":        "https://github.com/acme/app/actions/runs/22222222222",
		})
	})
	c := newTestClient(t, f, newFakeClock(), nil)

	res, err := c.Dispatch(testCtx(t), baseRequest())
	if err != nil {
		t.Fatalf("Dispatch: %v", err)
	}
	want := DispatchResult{RunID: 22222222222,
		RunURL:  "https://api.github.com/repos/acme/app/actions/runs/22222222222",
		HTMLURL: "https://github.com/acme/app/actions/runs/22222222222"}
	if res != want {
		t.Fatalf("result = %+v; want %+v", res, want)
	}
	wantInputs := map[string]any{"distinct_id": "q-7f3a", "target": "mainnet"}
	if got.Ref != "main" || !reflect.DeepEqual(got.Inputs, wantInputs) || got.ReturnRunDetails == nil || !*got.ReturnRunDetails {
		t.Fatalf("body = %+v; want ref main, string inputs %v, return_run_details true", got, wantInputs)
	}
}

func TestDispatch_204WithoutDetails(t *testing.T) {
	f := newFakeGitHub(t)
	var got dispatchBody
	f.handle("POST /repos/acme/app/actions/workflows/161335/dispatches", func(w http.ResponseWriter, r *http.Request) {
		got = decodeDispatch(t, r)
		w.WriteHeader(http.StatusNoContent)
	})
	c := newTestClient(t, f, newFakeClock(), nil)
	req := baseRequest()
	req.WorkflowID = "161335" // numeric ids go through the ByID path
	req.ReturnRunDetails = false
	req.Inputs = nil

	res, err := c.Dispatch(testCtx(t), req)
	if err != nil {
		t.Fatalf("Dispatch: %v", err)
	}
	if res != (DispatchResult{}) {
		t.Fatalf("result = %+v; want zero (no details on 204)", res)
	}
	if got.ReturnRunDetails != nil || got.Inputs != nil {
		t.Fatalf("body = %+v; want no return_run_details and no inputs", got)
	}
}

func TestDispatch_ErrorClassification(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		message string
		check   func(t *testing.T, err error)
	}{
		{
			name: "400 return_run_details not permitted", status: 400,
			message: `"return_run_details" is not a permitted key.`,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrReturnRunDetailsUnsupported) {
					t.Fatalf("err = %v; want ErrReturnRunDetailsUnsupported", err)
				}
				if _, ok := errors.AsType[*ValidationError](err); ok {
					t.Fatalf("err = %v is also a ValidationError; the job must not fail for it", err)
				}
				if IsUncertain(err) {
					t.Fatalf("err = %v is uncertain; a 400 created nothing", err)
				}
			},
		},
		{
			name: "422 naming return_run_details", status: 422,
			message: "Invalid request. return_run_details is not allowed.",
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrReturnRunDetailsUnsupported) {
					t.Fatalf("err = %v; want ErrReturnRunDetailsUnsupported", err)
				}
			},
		},
		{
			name: "422 undeclared input", status: 422,
			message: `Unexpected inputs provided: ["target"]`,
			check: func(t *testing.T, err error) {
				ve, ok := errors.AsType[*ValidationError](err)
				if !ok {
					t.Fatalf("err = %v; want *ValidationError", err)
				}
				if ve.Status != 422 || ve.Message != `Unexpected inputs provided: ["target"]` {
					t.Fatalf("validation error = %+v; want GitHub's 422 message", ve)
				}
				if errors.Is(err, ErrReturnRunDetailsUnsupported) || IsUncertain(err) {
					t.Fatalf("err = %v misclassified", err)
				}
			},
		},
		{
			name: "422 bad ref", status: 422, message: "No ref found for: nope",
			check: func(t *testing.T, err error) {
				if ve, ok := errors.AsType[*ValidationError](err); !ok || ve.Message != "No ref found for: nope" {
					t.Fatalf("err = %v; want ValidationError with GitHub's message", err)
				}
			},
		},
		{
			name: "404", status: 404, message: "Not Found",
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrNotFound) || IsUncertain(err) {
					t.Fatalf("err = %v; want ErrNotFound and not uncertain", err)
				}
			},
		},
		{
			name: "403 permission", status: 403, message: "Resource not accessible by personal access token",
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrForbidden) || IsUncertain(err) {
					t.Fatalf("err = %v; want ErrForbidden and not uncertain", err)
				}
			},
		},
		{
			name: "502", status: 502, message: "Server Error",
			check: func(t *testing.T, err error) {
				if !IsUncertain(err) || !errors.Is(err, ErrServer) {
					t.Fatalf("err = %v; want uncertain server error", err)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeGitHub(t)
			f.handle("POST /repos/acme/app/actions/workflows/deploy.yml/dispatches", func(w http.ResponseWriter, r *http.Request) {
				writeError(t, w, tc.status, tc.message)
			})
			c := newTestClient(t, f, newFakeClock(), nil)
			_, err := c.Dispatch(testCtx(t), baseRequest())
			if err == nil {
				t.Fatalf("Dispatch succeeded; want an error for %d", tc.status)
			}
			tc.check(t, err)
		})
	}
}

func TestDispatch_TimeoutAfterSendIsUncertain(t *testing.T) {
	f := newFakeGitHub(t)
	received := make(chan struct{}, 1)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // runs before the server closes
	f.handle("POST /repos/acme/app/actions/workflows/deploy.yml/dispatches", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		received <- struct{}{}
		// The run is "created" but the answer never comes in time.
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	c := newTestClient(t, f, newFakeClock(), func(o *Options) { o.RequestTimeout = 50 * time.Millisecond })

	_, err := c.Dispatch(testCtx(t), baseRequest())
	if !IsUncertain(err) {
		t.Fatalf("err = %v; want uncertain after a timeout", err)
	}
	select {
	case <-received:
	default:
		t.Fatalf("the server never saw the request")
	}
}

func TestDispatch_UnreadableSuccessBodyIsUncertain(t *testing.T) {
	f := newFakeGitHub(t)
	f.handle("POST /repos/acme/app/actions/workflows/deploy.yml/dispatches", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"workflow_run_id": `)
	})
	c := newTestClient(t, f, newFakeClock(), nil)
	_, err := c.Dispatch(testCtx(t), baseRequest())
	if !IsUncertain(err) {
		t.Fatalf("err = %v; want uncertain: GitHub accepted but the run id was lost", err)
	}
}

func TestDispatch_ConnectionRefusedIsNotUncertain(t *testing.T) {
	f := newFakeGitHub(t)
	url := f.URL
	f.Close() // nothing listens any more: the request cannot have been sent
	c, err := NewClient(Options{APIURL: url, Token: testToken, Clock: newFakeClock().Now})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	_, err = c.Dispatch(testCtx(t), baseRequest())
	if err == nil {
		t.Fatalf("Dispatch to a closed server succeeded")
	}
	if IsUncertain(err) {
		t.Fatalf("err = %v is uncertain; a refused connection sent nothing", err)
	}
	if st := c.Status(); st.Connected || st.Status != HealthUnhealthy {
		t.Fatalf("status = %+v; want disconnected and unhealthy", st)
	}
}

func TestDispatch_RejectsEmptyFields(t *testing.T) {
	f := newFakeGitHub(t)
	c := newTestClient(t, f, newFakeClock(), nil)
	req := baseRequest()
	req.Ref = ""
	if _, err := c.Dispatch(testCtx(t), req); err == nil {
		t.Fatalf("Dispatch with an empty ref succeeded")
	}
	if got := f.count(); got != 0 {
		t.Fatalf("requests = %d; want 0", got)
	}
}

package github

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// headerNotModified marks a response that the ETag cache rebuilt from a 304,
// so that the caller can report NotModified. X-From-Cache is the header
// go-github itself recognises for cached answers.
const (
	headerNotModified = "X-Dispatchoor-Not-Modified"
	headerFromCache   = "X-From-Cache"
)

// maxCachedBody bounds the size of one cached page. A runner page of 100
// runners is about 30 KiB; anything far larger is not worth keeping.
const maxCachedBody = 4 << 20

// etagEntry is the last 200 answer for one URL.
type etagEntry struct {
	etag   string
	header http.Header
	body   []byte
}

// etagCache keeps the last answer per URL (page and per_page included in the
// URL). It is only used for runner lists, whose set of URLs is bounded by
// owners × pages, so it needs no eviction.
type etagCache struct {
	mu      sync.Mutex
	entries map[string]*etagEntry
}

func newETagCache() *etagCache {
	return &etagCache{entries: make(map[string]*etagEntry)}
}

func (c *etagCache) get(key string) *etagEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[key]
}

func (c *etagCache) put(key string, e *etagEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key] = e
}

// apply turns a 304 for a cached URL into the cached 200 answer, and stores a
// fresh 200 that carries an ETag. Other answers pass through untouched.
func (c *etagCache) apply(key string, cached *etagEntry, resp *http.Response) (*http.Response, error) {
	switch {
	case resp.StatusCode == http.StatusNotModified && cached != nil:
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return cached.response(resp), nil
	case resp.StatusCode == http.StatusOK && resp.Header.Get("ETag") != "":
		return c.store(key, resp)
	}
	return resp, nil
}

// store reads a 200 answer into memory, keeps it, and returns an equivalent
// response whose body can still be read by go-github.
func (c *etagCache) store(key string, resp *http.Response) (*http.Response, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCachedBody+1))
	if err != nil {
		resp.Body.Close()
		return nil, fmt.Errorf("read response body: %w", err)
	}
	if len(body) > maxCachedBody {
		// Too large to keep: hand back what was read followed by the rest.
		resp.Body = readCloser{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
		return resp, nil
	}
	resp.Body.Close()
	c.put(key, &etagEntry{etag: resp.Header.Get("ETag"), header: resp.Header.Clone(), body: body})
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// response rebuilds the cached 200 answer in place of the 304 notModified.
// The 304's own headers (rate limit, request id) were already recorded by the
// transport; the cached headers keep the Link header that pagination needs.
func (e *etagEntry) response(notModified *http.Response) *http.Response {
	h := e.header.Clone()
	h.Set(headerNotModified, "1")
	h.Set(headerFromCache, "1")
	h.Set("Content-Length", strconv.Itoa(len(e.body)))
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         notModified.Proto,
		ProtoMajor:    notModified.ProtoMajor,
		ProtoMinor:    notModified.ProtoMinor,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(e.body)),
		ContentLength: int64(len(e.body)),
		Request:       notModified.Request,
	}
}

// readCloser pairs a reader with the closer of the body it came from.
type readCloser struct {
	io.Reader
	io.Closer
}

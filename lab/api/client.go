package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"syscall"

	"wasmbed-lab/lab/gateway"
)

// Client calls a running lab's API (the CLI's deploy and stop).
type Client struct {
	Addr  string // host:port, DefaultAddr if empty
	Token string
}

// Deploy sends module to the targets; the outcomes say how each went.
func (c Client) Deploy(ctx context.Context, t gateway.Targets, name string, module []byte, restart string) (Outcomes, error) {
	q := query(t)
	q.Set("name", name)
	if restart != "" {
		q.Set("restart", restart)
	}
	return c.post(ctx, "/v1/deploy", q, "application/wasm", module)
}

// Stop tells the targets to run no app.
func (c Client) Stop(ctx context.Context, t gateway.Targets) (Outcomes, error) {
	return c.post(ctx, "/v1/stop", query(t), "", nil)
}

func query(t gateway.Targets) url.Values {
	q := url.Values{"to": t.To}
	if t.Board != "" {
		q.Set("board", t.Board)
	}
	if t.All {
		q.Set("all", "true")
	}
	return q
}

func (c Client) post(ctx context.Context, path string, q url.Values, contentType string, body []byte) (Outcomes, error) {
	addr := c.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	u := url.URL{Scheme: "http", Host: addr, Path: path, RawQuery: q.Encode()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return Outcomes{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := http.DefaultClient.Do(req)
	if errors.Is(err, syscall.ECONNREFUSED) {
		return Outcomes{}, fmt.Errorf("no lab answers on http://%s: start one (wasmbed-lab up), or name its address with --api", addr)
	}
	if err != nil {
		return Outcomes{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Outcomes{}, fmt.Errorf("reading the lab's answer: %w", err)
	}
	var out Outcomes
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnprocessableEntity {
		if err := json.Unmarshal(data, &out); err != nil {
			return out, fmt.Errorf("the lab's answer (%s) is not JSON: %w", resp.Status, err)
		}
		return out, nil
	}
	var e errorBody
	if json.Unmarshal(data, &e) == nil && e.Error != "" {
		return out, fmt.Errorf("the lab refused (%s): %s", resp.Status, e.Error)
	}
	return out, fmt.Errorf("the lab refused: %s", resp.Status)
}

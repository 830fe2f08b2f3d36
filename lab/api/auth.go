package api

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
)

// minToken is the shortest token New accepts from its caller: guessing
// must not be an option, even for an API on a shared machine.
const minToken = 16

// newToken makes a token of 32 random bytes, in hex.
func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("api: making a token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// checkToken accepts a caller's token that is long enough and made of the
// characters a bearer token may hold (RFC 6750's b64token), so that it can
// be sent as is. The error never quotes the token.
func checkToken(t string) error {
	if len(t) < minToken {
		return fmt.Errorf("api: token is %d characters; use at least %d, or leave it empty to have one made", len(t), minToken)
	}
	body := strings.TrimRight(t, "=")
	for i := 0; i < len(body); i++ {
		c := body[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("-._~+/", c) >= 0
		if !ok {
			return fmt.Errorf("api: token has a character at offset %d that a bearer token cannot hold (allowed: letters, digits, -._~+/ and trailing =)", i)
		}
	}
	return nil
}

// unauthorizedHint tells a client where the token is without revealing it.
const unauthorizedHint = "send Authorization: Bearer <token>; the lab prints where to find it"

// requireToken lets a request through only with the lab's token.
func (s *Server) requireToken(next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(s.token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			unauthorized(w, "this request needs the lab's token: "+unauthorizedHint)
			return
		}
		// Hashing first makes the comparison independent of the lengths too.
		sum := sha256.Sum256([]byte(got))
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			unauthorized(w, "wrong token: "+unauthorizedHint)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearer extracts the token of an "Authorization: Bearer <token>" header.
func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="wasmbed-lab"`)
	writeError(w, http.StatusUnauthorized, msg)
}

// Package api is the lab's HTTP API: JSON over HTTP/1.1 for scripts, CI and
// Prometheus, served on a loopback address by default.
//
// Reads need no token; every change, and the event stream, needs the lab's
// token in an "Authorization: Bearer <token>" header.
//
//	GET  /healthz                      liveness: {"status":"ok"}
//	GET  /readyz                       200 when the gateway serves sessions, else 503
//	GET  /v1/status                    the gateway's Status
//	GET  /v1/pairing                   {"pairing":"auto"|"manual"}
//	PUT  /v1/pairing                   token; body {"pairing":"auto"|"manual"}; answers as GET
//	GET  /v1/devices[?state=Connected] every device, or those in one state (any case)
//	GET  /v1/devices/{ref}             one device, by id or name
//	POST /v1/devices/{ref}/approve     token; 200 with the device as it is now
//	POST /v1/devices/{ref}/reject      token; 200 with the device
//	POST /v1/devices/{ref}/revoke      token; 200 with the device
//	GET  /v1/events                    token; Server-Sent Events, one gateway Event per message
//	GET  /metrics                      Prometheus text format
//
// Errors are {"error": "..."}: 400 bad input, 401 no or wrong token, 404
// unknown route or device, 405 wrong method, 409 the gateway refused (e.g.
// approving a revoked device), 413 body over 1 MiB, 421 a Host header that
// is not loopback (unless remote access is allowed: a guard against DNS
// rebinding), 500 the gateway failed, 503 the gateway is restarting (with
// Retry-After).
//
// The API holds no gateway: it asks Config.Gateway on every request, so the
// lab can replace the gateway while the API runs. The event stream follows
// one gateway: each gateway Event is a message whose data is the Event's
// JSON; when that gateway closes (a restart) the stream sends a final "end"
// event and ends, and the client reconnects to follow the next gateway. A
// subscriber that falls behind the gateway loses events; use /v1/devices to
// resynchronise after reconnecting.
package api

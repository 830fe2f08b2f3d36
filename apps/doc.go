// Package apps holds the lab's side of WebAssembly apps: the host ABI the
// apps import, the sample apps and the checks run on them before they are
// deployed (see README.md). For now, it holds the differential test of the
// firmware's interpreter against wazero: every spec module and benchmark
// kernel runs in both, and the results and trap kinds must agree.
package apps

module wasmbed-lab

go 1.26.8

require (
	github.com/creack/pty v1.1.24 // indirect
	github.com/digitalocean/go-qemu v0.0.0-20250212194115-ee9b0668d242 // indirect
)

package pki

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// The provisioning blob is what a board finds in its provisioning area at
// boot (QEMU's loader puts it there; the native board reads a file). It is
// the normative format for firmware/core/provision.c:
//
//	magic "WBPV" | version (1 byte) | 3 zero bytes | length of the records (u32 LE)
//	| CRC-32C of the records (u32 LE) | records...
//
// Each record is type (1 byte), length (u16 LE), value. Unknown types are
// skipped, so newer labs can add records older firmware ignores.
const (
	provisionMagic   = "WBPV"
	provisionVersion = 1
	provisionHeader  = 16
)

// Record types.
const (
	RecordDeviceSeed  = 1 // Ed25519 private key seed, 32 bytes
	RecordDeviceCert  = 2 // the device certificate, DER
	RecordGatewayCA   = 3 // the gateway CA's Ed25519 public key, 32 bytes
	RecordHeartbeatMS = 4 // heartbeat interval in ms, u32 LE
	RecordRNGSeed     = 5 // fresh random bytes for this boot, 32 bytes
	RecordDeviceName  = 6 // the device's name, UTF-8
)

// Provision is the content of one boot's blob. It holds a private key:
// never log it.
type Provision struct {
	Name        string
	Device      *Identity
	GatewayCA   ed25519.PublicKey
	HeartbeatMS uint32
	RNGSeed     [32]byte
}

// String keeps the key out of logs and error messages.
func (p Provision) String() string { return fmt.Sprintf("provision{%s}", p.Name) }

// Marshal encodes the blob.
func (p Provision) Marshal() ([]byte, error) {
	if p.Device == nil || len(p.GatewayCA) != ed25519.PublicKeySize {
		return nil, errors.New("pki: provision: device identity and gateway CA key are required")
	}
	var records []byte
	add := func(typ byte, value []byte) {
		records = append(records, typ)
		records = binary.LittleEndian.AppendUint16(records, uint16(len(value)))
		records = append(records, value...)
	}
	add(RecordDeviceSeed, p.Device.Key.Seed())
	add(RecordDeviceCert, p.Device.CertDER)
	add(RecordGatewayCA, p.GatewayCA)
	add(RecordHeartbeatMS, binary.LittleEndian.AppendUint32(nil, p.HeartbeatMS))
	add(RecordRNGSeed, p.RNGSeed[:])
	add(RecordDeviceName, []byte(p.Name))

	blob := append([]byte(provisionMagic), provisionVersion, 0, 0, 0)
	blob = binary.LittleEndian.AppendUint32(blob, uint32(len(records)))
	blob = binary.LittleEndian.AppendUint32(blob, crc32.Checksum(records, crc32.MakeTable(crc32.Castagnoli)))
	return append(blob, records...), nil
}

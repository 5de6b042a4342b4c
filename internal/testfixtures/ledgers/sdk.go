package ledgers

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/support/compressxdr"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// The real ledgers the SDK module ships.
const (
	// PubnetSequence is the ledger in xdr/testdata/ledger_58752000.bin.
	PubnetSequence uint32 = 58752000
	// GalexieSequence is the ledger in the galexie file
	// support/compressxdr/testdata/FCD285FF--53312000.xdr.zstd.
	GalexieSequence uint32 = 53312000
	// PubnetPassphrase is the network both real ledgers were closed on.
	PubnetPassphrase = network.PublicNetworkPassphrase

	pubnetFile  = "xdr/testdata/ledger_58752000.bin"
	galexieFile = "support/compressxdr/testdata/FCD285FF--53312000.xdr.zstd"
)

var sdkDir = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/stellar/go-stellar-sdk").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			err = fmt.Errorf("%w: %s", err, ee.Stderr)
		}
		return "", fmt.Errorf("finding the go-stellar-sdk module directory: %w", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("go-stellar-sdk is not in the module cache; run go mod download")
	}
	return dir, nil
})

// SDKDir returns the directory of the go-stellar-sdk module, as
// `go list -m` reports it.
func SDKDir() (string, error) { return sdkDir() }

func readSDKFile(rel string) ([]byte, error) {
	dir, err := SDKDir()
	if err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
}

// PubnetBytes returns the raw XDR of pubnet ledger 58752000.
func PubnetBytes() ([]byte, error) { return readSDKFile(pubnetFile) }

// Pubnet returns pubnet ledger 58752000, decoded.
func Pubnet() (xdr.LedgerCloseMeta, error) {
	raw, err := PubnetBytes()
	if err != nil {
		return xdr.LedgerCloseMeta{}, err
	}
	var lcm xdr.LedgerCloseMeta
	if err := xdr.SafeUnmarshal(raw, &lcm); err != nil {
		return xdr.LedgerCloseMeta{}, fmt.Errorf("decoding %s: %w", pubnetFile, err)
	}
	return lcm, nil
}

// PubnetAt returns pubnet ledger 58752000 renumbered to seq: only the
// header's sequence changes, the transactions are real.
func PubnetAt(seq uint32) (xdr.LedgerCloseMeta, error) {
	lcm, err := Pubnet()
	if err != nil {
		return lcm, err
	}
	switch lcm.V {
	case 1:
		lcm.V1.LedgerHeader.Header.LedgerSeq = xdr.Uint32(seq)
	case 2:
		lcm.V2.LedgerHeader.Header.LedgerSeq = xdr.Uint32(seq)
	default:
		return xdr.LedgerCloseMeta{}, fmt.Errorf("%s: LedgerCloseMeta V%d", pubnetFile, lcm.V)
	}
	return lcm, nil
}

// GalexieBytes returns the galexie file of pubnet ledger 53312000: a
// zstd-compressed LedgerCloseMetaBatch, byte for byte as galexie wrote it.
func GalexieBytes() ([]byte, error) { return readSDKFile(galexieFile) }

// Galexie returns pubnet ledger 53312000, decoded from its galexie file.
func Galexie() (xdr.LedgerCloseMeta, error) {
	raw, err := GalexieBytes()
	if err != nil {
		return xdr.LedgerCloseMeta{}, err
	}
	var batch xdr.LedgerCloseMetaBatch
	if _, err := compressxdr.NewXDRDecoder(compressxdr.DefaultCompressor, &batch).ReadFrom(bytes.NewReader(raw)); err != nil {
		return xdr.LedgerCloseMeta{}, fmt.Errorf("decoding %s: %w", galexieFile, err)
	}
	if len(batch.LedgerCloseMetas) != 1 {
		return xdr.LedgerCloseMeta{}, fmt.Errorf("%s holds %d ledgers, want 1", galexieFile, len(batch.LedgerCloseMetas))
	}
	return batch.LedgerCloseMetas[0], nil
}

// MustPubnet is [Pubnet] for tests: it fails t on error.
func MustPubnet(t testing.TB) xdr.LedgerCloseMeta {
	t.Helper()
	lcm, err := Pubnet()
	if err != nil {
		t.Fatal(err)
	}
	return lcm
}

// MustGalexie is [Galexie] for tests: it fails t on error.
func MustGalexie(t testing.TB) xdr.LedgerCloseMeta {
	t.Helper()
	lcm, err := Galexie()
	if err != nil {
		t.Fatal(err)
	}
	return lcm
}

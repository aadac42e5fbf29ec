// Command interop checks a cosigned checkpoint with code that shares nothing with Haipai's: the
// log's own signature with Go's golang.org/x/mod/sumdb/note (the reference signed-note
// implementation), and each witness's cosignature/v1 line with crypto/ed25519, written from the
// C2SP tlog-cosignature text:
//
//	key ID     SHA-256(<name> || "\n" || 0x04 || 32-byte Ed25519 public key)[:4]
//	signature  key ID || u64 big-endian timestamp || Ed25519 signature (76 bytes)
//	message    "cosignature/v1\n" || "time " || decimal timestamp || "\n" || note body
//
// Usage: interop -log <log vkey> [-witness <witness vkey>]... [-quorum k] < checkpoint
//
// It exits 0 when the log signed the checkpoint and at least k of the witnesses (default: all)
// cosigned it; 1 otherwise. It prints one line per verdict, for the test to read.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

type keyList []string

func (k *keyList) String() string     { return strings.Join(*k, ",") }
func (k *keyList) Set(v string) error { *k = append(*k, v); return nil }

type witness struct {
	name   string
	id     [4]byte
	public ed25519.PublicKey
}

// parseWitnessKey reads <name>+<hex key ID>+base64(0x04 || public key) and checks the key ID.
func parseWitnessKey(vkey string) (witness, error) {
	var w witness
	parts := strings.SplitN(strings.TrimSpace(vkey), "+", 3)
	if len(parts) != 3 {
		return w, fmt.Errorf("witness key %q is not <name>+<id>+<key>", vkey)
	}
	material, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(material) != 33 || material[0] != 0x04 {
		return w, fmt.Errorf("witness key %q is not a type 0x04 Ed25519 key", vkey)
	}
	w.name, w.public = parts[0], ed25519.PublicKey(material[1:])
	h := sha256.Sum256(append([]byte(w.name+"\n"), material...))
	copy(w.id[:], h[:4])
	if hex.EncodeToString(w.id[:]) != strings.ToLower(parts[1]) {
		return w, fmt.Errorf("witness key %q: key ID does not match SHA-256(name || \\n || 0x04 || key)[:4]", vkey)
	}
	return w, nil
}

// cosignedAt returns the timestamp of a valid cosignature by w on body among the note's lines.
func cosignedAt(w witness, body []byte, sigs []note.Signature) (uint64, bool) {
	for _, sig := range sigs {
		if sig.Name != w.name {
			continue
		}
		blob, err := base64.StdEncoding.DecodeString(sig.Base64)
		if err != nil || len(blob) != 4+8+ed25519.SignatureSize || !bytes.Equal(blob[:4], w.id[:]) {
			continue
		}
		timestamp := binary.BigEndian.Uint64(blob[4:12])
		if timestamp > 1<<63-1 {
			continue
		}
		msg := append([]byte("cosignature/v1\ntime "+strconv.FormatUint(timestamp, 10)+"\n"), body...)
		if ed25519.Verify(w.public, msg, blob[12:]) {
			return timestamp, true
		}
	}
	return 0, false
}

func main() {
	var logKey string
	var witnessKeys keyList
	flag.StringVar(&logKey, "log", "", "the log's verifier key (its /log/vkey)")
	flag.Var(&witnessKeys, "witness", "a witness's verifier key (repeatable)")
	quorum := flag.Int("quorum", -1, "cosignatures required (default: every -witness)")
	flag.Parse()
	if *quorum < 0 {
		*quorum = len(witnessKeys)
	}

	msg, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("read: %v", err)
	}
	verifier, err := note.NewVerifier(strings.TrimSpace(logKey))
	if err != nil {
		fail("log key: %v", err)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("log signature: %v", err)
	}
	fmt.Printf("log signature ok: %s\n", verifier.Name())

	body := []byte(n.Text)
	valid := 0
	for _, vkey := range witnessKeys {
		w, err := parseWitnessKey(vkey)
		if err != nil {
			fail("%v", err)
		}
		// Cosignatures are signature lines sumdb/note could not verify with the log's key.
		if timestamp, ok := cosignedAt(w, body, n.UnverifiedSigs); ok {
			valid++
			fmt.Printf("cosignature ok: %s %s time %d\n", w.name, hex.EncodeToString(w.id[:]), timestamp)
		} else {
			fmt.Printf("cosignature missing or invalid: %s %s\n", w.name, hex.EncodeToString(w.id[:]))
		}
	}
	if valid < *quorum {
		fail("%d valid cosignature(s), quorum %d", valid, *quorum)
	}
	fmt.Printf("quorum met: %d of %d (need %d)\n", valid, len(witnessKeys), *quorum)
}

func fail(format string, args ...interface{}) {
	fmt.Printf("FAIL: "+format+"\n", args...)
	os.Exit(1)
}

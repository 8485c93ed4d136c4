package stream

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// DefaultSegmentSize is the plaintext size of every segment but the last in
// streams written by [NewWriter]. 64 KiB keeps the per-segment overhead (16
// bytes of tag) below 0.03% while each reader and writer holds only one
// segment in memory.
const DefaultSegmentSize = 64 << 10

// ErrInvalid is returned by a reader for every integrity failure: a tampered,
// truncated, reordered or extended stream, a wrong key, a wrong aad, or a
// header this package does not understand. It deliberately never says which
// check failed, so a reader cannot be used as an oracle.
var ErrInvalid = errors.New("stream: message authentication failed")

// errTooLong is returned by a writer asked to write more than maxSegments
// segments: the next segment index would not fit the 32-bit counter in the
// nonce, and wrapping it would reuse a nonce.
var errTooLong = errors.New("stream: plaintext too long for one stream (2^32 segments)")

// errClosed is returned by Write on a writer already closed.
var errClosed = errors.New("stream: write after Close")

const (
	// version1 is the first byte of every header in the format doc.go describes.
	version1 byte = 1

	// keySize is the length of the caller's key and of the derived subkey:
	// 32 bytes for AES-256.
	keySize = 32

	// defaultShift is log2(DefaultSegmentSize).
	defaultShift = 16

	// minShift and maxShift bound the segment size a header may declare. The
	// maximum matters most: a reader allocates one segment before any tag
	// has been checked, so it caps what a forged header can make a reader
	// allocate at 1 MiB. The minimum exists only to keep the overhead sane;
	// tests use it to get many segments from a few bytes.
	minShift = 4
	maxShift = 20

	saltSize   = 32
	prefixSize = 7
	nonceSize  = 12
	tagSize    = 16

	// headerSize is version (1) + shift (1) + salt (32) + nonce prefix (7).
	headerSize = 2 + saltSize + prefixSize

	// maxSegments is the number of distinct values of the 32-bit segment
	// index in the nonce.
	maxSegments = 1 << 32

	// infoPrefix starts the HKDF info; the caller's aad follows it.
	infoPrefix = "rampart/stream/v1"
)

// CiphertextSize returns the exact length of the stream [NewWriter] produces
// for plaintextSize bytes of plaintext, so that a server can send a
// Content-Length before encrypting. It returns -1 if plaintextSize is
// negative or too large for one stream.
func CiphertextSize(plaintextSize int64) int64 {
	return ciphertextSize(plaintextSize, defaultShift)
}

func ciphertextSize(n int64, shift uint8) int64 {
	if n < 0 {
		return -1
	}
	seg := int64(1) << shift
	segments := n / seg
	if n%seg != 0 || n == 0 {
		// A partial last segment, or the empty final segment of an empty plaintext.
		segments++
	}
	if segments > maxSegments {
		return -1
	}
	return headerSize + n + segments*tagSize
}

// newAEAD derives the stream's subkey from key, the salt in header and aad,
// and returns AES-256-GCM under it.
func newAEAD(key, header, aad []byte) (cipher.AEAD, error) {
	info := make([]byte, 0, len(infoPrefix)+len(aad))
	info = append(info, infoPrefix...)
	info = append(info, aad...)
	subkey, err := hkdf.Key(sha256.New, key, header[2:2+saltSize], string(info), keySize)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(subkey)
	clear(subkey) // The expanded key lives on in block; this copy need not.
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func checkKey(key []byte) error {
	if len(key) != keySize {
		return fmt.Errorf("stream: key must be %d bytes, got %d", keySize, len(key))
	}
	return nil
}

// setNonce writes segment i's index and final flag into nonce, whose first
// prefixSize bytes already hold the stream's nonce prefix.
func setNonce(nonce *[nonceSize]byte, i uint32, last bool) {
	binary.BigEndian.PutUint32(nonce[prefixSize:], i)
	nonce[nonceSize-1] = 0
	if last {
		nonce[nonceSize-1] = 1
	}
}

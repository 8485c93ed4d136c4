package stream

import (
	"crypto/cipher"
	"io"
)

// reader decrypts src one segment at a time. To tell the final segment from
// the others it reads one byte past each full segment: if that byte exists
// the segment is not the last, and the byte starts the next segment.
type reader struct {
	src io.Reader
	key []byte // copies, kept only until the header is read
	aad []byte

	aead   cipher.AEAD // nil until the header has been read
	header [headerSize]byte
	nonce  [nonceSize]byte

	// buf holds one ciphertext segment plus the byte after it, allocated
	// once when the header says how large a segment is. After a segment
	// verifies, its plaintext is decrypted in place and served from plain.
	buf      []byte
	plain    []byte
	carry    byte // first byte of the next segment, read with this one
	hasCarry bool

	index uint64 // index of the next segment to open
	final bool   // the final segment has been opened
	err   error  // sticky
}

// NewReader returns a reader of the plaintext of a stream written by
// [NewWriter] under the same key (32 bytes) and aad.
//
// NewReader does not read from src; the first Read reads and checks the
// header. Read returns a segment's plaintext only after that segment's tag
// has verified, and returns io.EOF only after the final segment has verified
// and src has ended right after it. Any integrity failure — tampering,
// truncation, reordering, extension, a wrong key or aad — is [ErrInvalid];
// errors from src other than io.EOF are returned as they are. Either error
// is returned by every later Read.
//
// Plaintext from the first segments is released before the end of the
// stream has been checked; see "Reading before the end" in the package
// documentation. The reader is not safe for concurrent use.
func NewReader(src io.Reader, key, aad []byte) (io.Reader, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	return &reader{
		src: src,
		key: append([]byte(nil), key...),
		aad: append([]byte(nil), aad...),
	}, nil
}

// Read implements io.Reader.
func (r *reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for len(r.plain) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.final {
			r.err = io.EOF
			continue
		}
		r.err = r.next()
	}
	n := copy(p, r.plain)
	r.plain = r.plain[n:]
	return n, nil
}

// next reads, verifies and decrypts the next segment into r.plain.
func (r *reader) next() error {
	if r.aead == nil {
		if err := r.readHeader(); err != nil {
			return err
		}
	}
	if r.index >= maxSegments {
		// A valid writer never seals a segment past the counter's range.
		return ErrInvalid
	}
	n := 0
	if r.hasCarry {
		r.buf[0] = r.carry
		n = 1
	}
	m, err := readFull(r.src, r.buf[n:])
	n += m
	last := err == io.EOF
	if err != nil && !last {
		return err
	}
	segLen := n
	if !last {
		segLen--
		r.carry, r.hasCarry = r.buf[segLen], true
	}
	if segLen < tagSize {
		return ErrInvalid
	}
	setNonce(&r.nonce, uint32(r.index), last)
	plain, err := r.aead.Open(r.buf[:0], r.nonce[:], r.buf[:segLen], r.header[:])
	if err != nil {
		return ErrInvalid
	}
	r.index++
	r.plain = plain
	r.final = last
	return nil
}

// readHeader reads and checks the header, derives the stream's subkey and
// allocates the segment buffer.
func (r *reader) readHeader() error {
	h := r.header[:]
	if _, err := readFull(r.src, h); err != nil {
		if err == io.EOF {
			return ErrInvalid // Truncated inside the header.
		}
		return err
	}
	// An unknown version or out-of-range size is reported as ErrInvalid
	// like everything else: the header is untrusted until a tag verifies.
	if h[0] != version1 || h[1] < minShift || h[1] > maxShift {
		return ErrInvalid
	}
	aead, err := newAEAD(r.key, h, r.aad)
	if err != nil {
		return err
	}
	clear(r.key)
	r.key, r.aad = nil, nil
	r.aead = aead
	copy(r.nonce[:prefixSize], h[2+saltSize:])
	r.buf = make([]byte, 1<<h[1]+tagSize+1)
	return nil
}

// readFull is io.ReadFull except that it reports the end of src as io.EOF
// however many bytes it read, and passes every other error through
// unchanged. io.ReadFull turns a partial read's EOF into io.ErrUnexpectedEOF,
// which could not be told apart from a src that itself returns
// io.ErrUnexpectedEOF (a truncated gzip body, say); here only a real end of
// src marks the final segment. A full buf is success even if src ended with
// its last bytes: the next read from src reports the end again.
func readFull(src io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := src.Read(buf[n:])
		n += m
		if err != nil && n < len(buf) {
			return n, err
		}
	}
	return n, nil
}

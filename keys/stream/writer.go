package stream

import (
	"crypto/cipher"
	"crypto/rand"
	"io"
)

// writer encrypts into dst one segment at a time. It holds back a full
// segment until more plaintext arrives, because only then is that segment
// known not to be the last one.
type writer struct {
	dst  io.Writer
	aead cipher.AEAD
	seg  int // plaintext bytes per segment

	// buf is header || segment buffer || room for the tag, allocated once.
	// Keeping the header in front of the first segment sends both in one
	// Write; the header bytes also serve as every segment's additional data.
	buf   []byte
	n     int // plaintext bytes buffered at buf[headerSize:]
	nonce [nonceSize]byte

	index      uint64 // index of the next segment to seal
	sentHeader bool
	closed     bool
	err        error // sticky: once a Write fails the stream is unusable
}

// NewWriter returns a writer that encrypts everything written to it into dst
// under key (32 bytes), bound to aad, in the format described in the package
// documentation, with segments of [DefaultSegmentSize]. The same key and aad
// are needed to read the stream back. aad is not stored in the stream.
//
// Nothing is written to dst before the first segment is complete or Close is
// called. Close writes the final segment and MUST be called: without it the
// stream is truncated and every reader rejects it. Close does not close dst.
// The writer is not safe for concurrent use.
func NewWriter(dst io.Writer, key, aad []byte) (io.WriteCloser, error) {
	return newWriter(dst, key, aad, defaultShift, rand.Reader)
}

// newWriter is NewWriter with the segment size (2^shift) and the source of
// the salt and nonce prefix chosen by the caller: tests use small segments to
// get many of them cheaply, and a fixed source to pin the format.
func newWriter(dst io.Writer, key, aad []byte, shift uint8, random io.Reader) (*writer, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if shift < minShift || shift > maxShift {
		panic("stream: segment shift out of range") // Only tests choose it.
	}
	seg := 1 << shift
	w := &writer{dst: dst, seg: seg, buf: make([]byte, headerSize+seg+tagSize)}
	h := w.buf[:headerSize]
	h[0] = version1
	h[1] = shift
	if _, err := io.ReadFull(random, h[2:]); err != nil {
		return nil, err
	}
	copy(w.nonce[:prefixSize], h[2+saltSize:])
	var err error
	if w.aead, err = newAEAD(key, h, aad); err != nil {
		return nil, err
	}
	return w, nil
}

// Write encrypts p. It returns an error only if an earlier segment could not
// be written to dst, the writer is closed, or the stream has reached its
// maximum length; any such error is returned by every later call too.
func (w *writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.closed {
		return 0, errClosed
	}
	written := 0
	for len(p) > 0 {
		if w.n == w.seg {
			// More plaintext follows the full buffered segment, so it is
			// not the last one.
			if err := w.seal(w.buf[headerSize:headerSize+w.n], false); err != nil {
				w.err = err
				return written, err
			}
		}
		if w.n == 0 && len(p) > w.seg {
			// p holds a whole segment and more after it: seal straight
			// from p and skip copying the plaintext into buf.
			if err := w.seal(p[:w.seg], false); err != nil {
				w.err = err
				return written, err
			}
			p = p[w.seg:]
			written += w.seg
			continue
		}
		c := copy(w.buf[headerSize+w.n:headerSize+w.seg], p)
		w.n += c
		p = p[c:]
		written += c
	}
	return written, nil
}

// Close seals what is buffered (possibly nothing) as the final segment and
// writes it. Calling Close again returns the first call's result.
func (w *writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	w.err = w.seal(w.buf[headerSize:headerSize+w.n], true)
	return w.err
}

// seal encrypts plaintext as the next segment into buf and writes it, with
// the header in front if it has not been sent. plaintext is either the
// buffered segment (sealed in place) or a slice of the caller's data.
func (w *writer) seal(plaintext []byte, last bool) error {
	if w.index >= maxSegments {
		return errTooLong
	}
	setNonce(&w.nonce, uint32(w.index), last)
	header := w.buf[:headerSize]
	ct := w.aead.Seal(w.buf[headerSize:headerSize], w.nonce[:], plaintext, header)
	out := w.buf[headerSize : headerSize+len(ct)]
	if !w.sentHeader {
		out = w.buf[:headerSize+len(ct)]
	}
	if _, err := w.dst.Write(out); err != nil {
		return err
	}
	w.sentHeader = true
	w.index++
	w.n = 0
	return nil
}

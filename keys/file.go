package keys

import (
	"encoding/binary"
	"errors"
	"io"

	"github.com/rampart-dev/rampart/keys/stream"
)

// File ciphertexts: FileMagic, the field header of the data key (format,
// purpose, version, optional user id: see the ciphertext format), then a
// stream of the stream package keyed by the data key, whose associated data
// binds "rampart/file/v1", that header, the tenant and the context.
const FileMagic = "RCF1"

const fileAADPrefix = "rampart/file/v1"

func (k *DataKey) header() []byte {
	h := make([]byte, headerSize(k.ID))
	h[0] = formatV1
	h[1] = purposeIDs[k.ID.Purpose]
	binary.BigEndian.PutUint32(h[2:6], k.Version)
	if k.ID.PerUser() {
		h[1] |= perUserFlag
		copy(h[6:22], k.ID.User[:])
	}
	return h
}

// EncryptFile writes the file ciphertext of everything read from src to
// dst, in constant memory.
func (k *DataKey) EncryptFile(dst io.Writer, src io.Reader, tenantID, context string) (int64, error) {
	h := k.header()
	if _, err := io.WriteString(dst, FileMagic); err != nil {
		return 0, err
	}
	if _, err := dst.Write(h); err != nil {
		return 0, err
	}
	w, err := stream.NewWriter(dst, k.material, appendAADWith(nil, fileAADPrefix, h, tenantID, context))
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, src)
	if err != nil {
		return n, err
	}
	return n, w.Close()
}

// ReadFileHeader reads the magic and key header of a file ciphertext from
// src, leaving src at the stream.
func ReadFileHeader(src io.Reader) (Header, []byte, error) {
	var head [4 + 22]byte
	if _, err := io.ReadFull(src, head[:4+6]); err != nil || string(head[:4]) != FileMagic {
		return Header{}, nil, ErrDecrypt
	}
	n := 6
	if head[5]&perUserFlag != 0 {
		if _, err := io.ReadFull(src, head[10:26]); err != nil {
			return Header{}, nil, ErrDecrypt
		}
		n = 22
	}
	hdr := append([]byte(nil), head[4:4+n]...)
	id, v, _, ok := parseHeader(append(hdr[:n:n], make([]byte, nonceSize+tagSize)...))
	if !ok {
		return Header{}, nil, ErrDecrypt
	}
	return Header{Key: id, Version: v}, hdr, nil
}

// DecryptFile returns a reader of the plaintext of the stream that follows
// a header read by ReadFileHeader. Its Read fails with ErrDecrypt on any
// tampering, truncation or wrong context; plaintext before that point was
// authenticated segment by segment, but only io.EOF proves the whole file.
func (k *DataKey) DecryptFile(src io.Reader, header []byte, tenantID, context string) (io.Reader, error) {
	r, err := stream.NewReader(src, k.material, appendAADWith(nil, fileAADPrefix, header, tenantID, context))
	if err != nil {
		return nil, err
	}
	return errorMapper{r}, nil
}

type errorMapper struct{ r io.Reader }

func (m errorMapper) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if errors.Is(err, stream.ErrInvalid) {
		err = ErrDecrypt
	}
	return n, err
}

// Package stream encrypts and authenticates a stream of any length in
// constant memory: files, uploads, exports and backups that are too large to
// hold in memory for a one-shot AEAD.
//
// It implements the STREAM construction of Hoang, Reyhanitabar, Rogaway and
// Vizár, "Online Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance"
// (CRYPTO 2015), instantiated the way Google Tink's AES-GCM-HKDF streaming
// AEAD is: a per-stream subkey derived with HKDF-SHA256 from the caller's key
// and a random salt, and AES-256-GCM over fixed-size segments whose nonce
// carries the segment's index and a flag marking the final segment. The index
// stops reordering, dropping and duplicating segments; the final flag stops
// truncation and extension at a segment boundary.
//
// # Format, version 1
//
// All integers are big-endian. A stream is a header followed by one or more
// segments; the last segment is the only one flagged final.
//
//	stream = header || segment_0 || segment_1 || ... || segment_n        (n >= 0)
//
//	header, 41 bytes:
//	 0         1         2                                 34                 41
//	 +---------+---------+---------------------------------+------------------+
//	 | version |  shift  |              salt               |  nonce prefix    |
//	 |  0x01   |  (log2) |            32 bytes             |    7 bytes       |
//	 +---------+---------+---------------------------------+------------------+
//
//	version       1 for this format; a reader rejects any other with ErrInvalid.
//	shift         segment size S = 2^shift plaintext bytes; 4 <= shift <= 20.
//	              The writer in this package uses 16 (S = 64 KiB, DefaultSegmentSize).
//	salt          32 random bytes, fresh for each stream.
//	nonce prefix  7 random bytes, fresh for each stream.
//
//	subkey = HKDF-SHA256(secret = key, salt = salt,
//	                     info = "rampart/stream/v1" || aad, length = 32)
//
//	nonce_i, 12 bytes:
//	 0                  7                        11        12
//	 +------------------+------------------------+---------+
//	 | nonce prefix (7) | i as uint32 (4)        | last (1)|
//	 +------------------+------------------------+---------+
//	last = 0x01 for the final segment, 0x00 for every other.
//
//	segment_i = AES-256-GCM-Seal(subkey, nonce_i, plaintext_i, additional data = header)
//	          = ciphertext_i (len(plaintext_i) bytes) || tag (16 bytes)
//
// Every segment but the last holds exactly S plaintext bytes (S+16 bytes of
// ciphertext); the last holds 0 to S bytes. It is empty only when the whole
// plaintext is empty, so an empty plaintext becomes the header and one
// 16-byte segment, and a plaintext of exactly k*S bytes becomes k full
// segments, the last of them flagged final. A stream has at most 2^32
// segments (about 256 TiB with the default segment size); the writer fails
// rather than wrap the counter. [CiphertextSize] gives the exact length.
//
// The caller's associated data (aad) is bound once, through the HKDF info,
// rather than repeated in each segment: it costs nothing per segment and a
// reader with the wrong aad derives the wrong subkey, so the first segment
// fails. The prefix "rampart/stream/v1" has a fixed length, so the info string
// is an unambiguous encoding of the aad.
//
// The header is authenticated by passing all 41 of its bytes as the GCM
// additional data of every segment. The salt and nonce prefix would be bound
// anyway (they determine the subkey and the nonces), but the version and
// shift would not, and an unauthenticated shift would let an attacker make a
// reader split segments differently. Using the whole header covers every
// field, present and future, with no field-by-field argument, for 41 bytes of
// GHASH per segment (under 0.1% of a 64 KiB segment). Binding the header
// through the HKDF info instead would be equally sound; the additional data
// was chosen because it keeps the HKDF input exactly "prefix || aad".
//
// # Reading before the end
//
// A [NewReader] releases each segment's plaintext as soon as that segment's
// tag verifies, so it runs in constant memory, but it means a caller sees the
// beginning of a stream before anything has shown that the stream is
// complete: truncation, extension and tampering later in the stream surface
// only as [ErrInvalid] from a later Read. Only a Read that returns io.EOF
// proves the whole stream intact. A caller that must not act on a
// partial plaintext (apply a configuration, import records, run a script)
// should write the plaintext to a temporary place and use it only after
// io.EOF, or discard whatever it did on any other error.
//
// # Limits
//
// Nonces are unique because every stream has a fresh random 32-byte salt
// and therefore its own subkey; the random nonce prefix adds a margin.
// Key and aad are never reused as GCM keys directly. The package does not
// hide the plaintext length (the ciphertext is exactly 41 bytes plus 16 per
// segment longer) and offers no random access to the middle of a stream.
package stream

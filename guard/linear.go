package guard

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"unicode"
	"unicode/utf8"
)

// Features are hashed n-grams of a normalised text: word unigrams and
// bigrams, and character 3- to 5-grams inside words (with word boundaries),
// each hashed into 2^Bits buckets. Hashing keeps the model a fixed size
// whatever the vocabulary, and character n-grams make it robust to
// misspellings and to words it never saw.
type Features struct {
	Bits uint8
	idx  []uint32
}

// maxFeatureWords bounds the words featurised per text (the start and end
// of a long text carry its intent; scanning stays linear and bounded).
const maxFeatureWords = 1500

// Extract fills f with the features of s (a view's folded text).
func (f *Features) Extract(s string) {
	if need := len(s) * 4; cap(f.idx) < need {
		f.idx = make([]uint32, 0, need)
	}
	f.idx = f.idx[:0]
	mask := uint32(1)<<f.Bits - 1
	var prev uint32
	words := 0
	for i := 0; i < len(s) && words < maxFeatureWords; {
		ws, we, _, _ := nextWord(s, i)
		if ws == we {
			break
		}
		w := s[ws:we]
		h := hashString(2166136261, w)
		f.idx = append(f.idx, h&mask)
		if words > 0 {
			f.idx = append(f.idx, mix(prev, h)&mask)
		}
		prev = h
		f.charGrams(w, mask)
		words++
		i = we
	}
}

// nextWord finds the first word (letters and digits) of s at or after byte
// i: its bytes [start, end), the runes before it from i, and its runes.
// start == end when there is none. Features, the injection rules and the
// models' word spans all cut words with it; ASCII bytes are tested by a
// table, without decoding.
func nextWord(s string, i int) (start, end, skipped, n int) {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiWord[c] {
				break
			}
			i++
			skipped++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			break
		}
		i += size
		skipped++
	}
	start = i
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if !asciiWord[c] {
				break
			}
			i++
			n++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		i += size
		n++
	}
	return start, i, skipped, n
}

// charGrams adds the 3- to 5-grams of " w " (at most the first 24 runes).
func (f *Features) charGrams(w string, mask uint32) {
	var rs [26]rune
	n := 0
	rs[n] = ' '
	n++
	for _, r := range w {
		if n == 25 {
			break
		}
		rs[n] = r
		n++
	}
	rs[n] = ' '
	n++
	// The 3-, 4- and 5-grams, in that order (the models sum their weights
	// in float32, so the order is part of the score), each hashed with
	// FNV-1a from a seed of its size; unrolled, as this is the innermost
	// loop of every scan.
	idx := f.idx
	h3, h4, h5 := gramSeed(3), gramSeed(4), gramSeed(5)
	for i := 0; i+3 <= n; i++ {
		h := (h3 ^ uint32(rs[i])) * fnvPrime
		h = (h ^ uint32(rs[i+1])) * fnvPrime
		h = (h ^ uint32(rs[i+2])) * fnvPrime
		idx = append(idx, h&mask)
	}
	for i := 0; i+4 <= n; i++ {
		h := (h4 ^ uint32(rs[i])) * fnvPrime
		h = (h ^ uint32(rs[i+1])) * fnvPrime
		h = (h ^ uint32(rs[i+2])) * fnvPrime
		h = (h ^ uint32(rs[i+3])) * fnvPrime
		idx = append(idx, h&mask)
	}
	for i := 0; i+5 <= n; i++ {
		h := (h5 ^ uint32(rs[i])) * fnvPrime
		h = (h ^ uint32(rs[i+1])) * fnvPrime
		h = (h ^ uint32(rs[i+2])) * fnvPrime
		h = (h ^ uint32(rs[i+3])) * fnvPrime
		h = (h ^ uint32(rs[i+4])) * fnvPrime
		idx = append(idx, h&mask)
	}
	f.idx = idx
}

const fnvPrime = 16777619

// gramSeed is the FNV-1a basis of the character n-grams of a size.
func gramSeed(size int) uint32 { return uint32(2166136261) ^ uint32(size)*0x9e3779b1 }

func hashString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

func mix(a, b uint32) uint32 {
	h := a*0x85ebca6b ^ b*0xc2b2ae35
	h ^= h >> 16
	return h * 0x27d4eb2d
}

// Model is logistic regression over Features.
type Model struct {
	Bits    uint8
	Bias    float32
	Weights []float32 // 2^Bits
}

// Score is the probability the model gives the features: a graded score
// in (0, 1).
func (m *Model) Score(f *Features) float64 {
	if len(f.idx) == 0 {
		return sigmoid(float64(m.Bias))
	}
	var sum float32
	for _, i := range f.idx {
		sum += m.Weights[i]
	}
	return sigmoid(float64(m.Bias) + float64(sum)/math.Sqrt(float64(len(f.idx))))
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// Example is one labelled text for training.
type Example struct {
	Text   string // already normalised (a view's Text)
	Label  bool
	Weight float64 // 0 counts as 1
}

// TrainOptions configure Train.
type TrainOptions struct {
	Bits   uint8
	Epochs int
	Rate   float64 // AdaGrad learning rate
	L2     float64
	Seed   uint64
}

// Train fits a model with AdaGrad on the logistic loss, deterministically
// for a seed. Positive and negative examples are balanced by weight.
func Train(examples []Example, o TrainOptions) *Model {
	m := &Model{Bits: o.Bits, Weights: make([]float32, 1<<o.Bits)}
	g2 := make([]float64, 1<<o.Bits)
	var gb float64
	feats := make([][]uint32, len(examples))
	pos := 0
	for i, e := range examples {
		f := Features{Bits: o.Bits}
		f.Extract(e.Text)
		feats[i] = append([]uint32(nil), f.idx...)
		if e.Label {
			pos++
		}
	}
	neg := len(examples) - pos
	wPos, wNeg := 1.0, 1.0
	if pos > 0 && neg > 0 {
		wPos, wNeg = float64(len(examples))/(2*float64(pos)), float64(len(examples))/(2*float64(neg))
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x5bd1e995))
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	for epoch := 0; epoch < o.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, k := range order {
			e, idx := examples[k], feats[k]
			norm := 1 / math.Sqrt(float64(max(len(idx), 1)))
			var sum float64
			for _, i := range idx {
				sum += float64(m.Weights[i])
			}
			p := sigmoid(float64(m.Bias) + sum*norm)
			y, w := 0.0, wNeg
			if e.Label {
				y, w = 1, wPos
			}
			if e.Weight > 0 {
				w *= e.Weight
			}
			g := (p - y) * w
			for _, i := range idx {
				gi := g*norm + o.L2*float64(m.Weights[i])
				g2[i] += gi * gi
				m.Weights[i] -= float32(o.Rate * gi / (math.Sqrt(g2[i]) + 1e-8))
			}
			gb += g * g
			m.Bias -= float32(o.Rate * g / (math.Sqrt(gb) + 1e-8))
		}
	}
	return m
}

// Model files: "RGM1", bits, bias (float32), then the weights quantised to
// int16 with one float32 scale, little endian. Quantising halves the size
// embedded in the binary and changes no score by more than ~1e-4.
var modelMagic = []byte("RGM1")

// MarshalBinary encodes the model.
func (m *Model) MarshalBinary() ([]byte, error) {
	var scale float32
	for _, w := range m.Weights {
		scale = max(scale, float32(math.Abs(float64(w))))
	}
	scale /= 32767
	if scale == 0 {
		scale = 1
	}
	var b bytes.Buffer
	b.Write(modelMagic)
	b.WriteByte(m.Bits)
	binary.Write(&b, binary.LittleEndian, m.Bias)
	binary.Write(&b, binary.LittleEndian, scale)
	q := make([]int16, len(m.Weights))
	for i, w := range m.Weights {
		q[i] = int16(math.Round(float64(w / scale)))
	}
	binary.Write(&b, binary.LittleEndian, q)
	return b.Bytes(), nil
}

// UnmarshalBinary decodes a model written by MarshalBinary.
func (m *Model) UnmarshalBinary(data []byte) error {
	if len(data) < 13 || !bytes.Equal(data[:4], modelMagic) {
		return errors.New("guard: not a model file")
	}
	bits := data[4]
	if bits < 8 || bits > 24 {
		return fmt.Errorf("guard: model of %d bits", bits)
	}
	n := 1 << bits
	if len(data) != 13+2*n {
		return fmt.Errorf("guard: model file of %d bytes, want %d", len(data), 13+2*n)
	}
	m.Bits = bits
	m.Bias = math.Float32frombits(binary.LittleEndian.Uint32(data[5:]))
	scale := math.Float32frombits(binary.LittleEndian.Uint32(data[9:]))
	m.Weights = make([]float32, n)
	for i := range m.Weights {
		m.Weights[i] = float32(int16(binary.LittleEndian.Uint16(data[13+2*i:]))) * scale
	}
	return nil
}

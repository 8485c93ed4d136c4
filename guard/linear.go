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
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			i += size
			continue
		}
		j := i
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			j += size
		}
		w := s[i:j]
		h := hashString(2166136261, w)
		f.idx = append(f.idx, h&mask)
		if words > 0 {
			f.idx = append(f.idx, mix(prev, h)&mask)
		}
		prev = h
		f.charGrams(w, mask)
		words++
		i = j
	}
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
	for size := 3; size <= 5; size++ {
		for i := 0; i+size <= n; i++ {
			h := uint32(2166136261) ^ uint32(size)*0x9e3779b1
			for _, r := range rs[i : i+size] {
				h = (h ^ uint32(r)) * 16777619
			}
			f.idx = append(f.idx, h&mask)
		}
	}
}

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

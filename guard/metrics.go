package guard

import "sort"

// Scored is a score with its true label, for evaluation.
type Scored struct {
	Score float64
	Label bool
}

// ROCAUC is the area under the ROC curve: the probability that a random
// positive scores above a random negative (ties count half).
func ROCAUC(xs []Scored) float64 {
	s := append([]Scored(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i].Score < s[j].Score })
	var pos, neg, rankSum float64
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j].Score == s[i].Score {
			j++
		}
		rank := float64(i+j+1) / 2 // average 1-based rank of the tie group
		for k := i; k < j; k++ {
			if s[k].Label {
				pos++
				rankSum += rank
			} else {
				neg++
			}
		}
		i = j
	}
	if pos == 0 || neg == 0 {
		return 0
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

// TPRAtFPR is the highest true-positive rate at a threshold whose
// false-positive rate is at most maxFPR, and that threshold.
func TPRAtFPR(xs []Scored, maxFPR float64) (tpr, threshold float64) {
	s := append([]Scored(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i].Score > s[j].Score })
	var pos, neg float64
	for _, x := range s {
		if x.Label {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return 0, 1
	}
	threshold = 1.0000001
	var tp, fp float64
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j].Score == s[i].Score {
			if s[j].Label {
				tp++
			} else {
				fp++
			}
			j++
		}
		if fp/neg > maxFPR {
			break
		}
		tpr, threshold = tp/pos, s[i].Score
		i = j
	}
	return tpr, threshold
}

// Confusion counts decisions at a threshold (score >= threshold is positive).
type Confusion struct{ TP, FP, TN, FN int }

// At returns the confusion of xs at threshold.
func At(xs []Scored, threshold float64) Confusion {
	var c Confusion
	for _, x := range xs {
		switch yes := x.Score >= threshold; {
		case yes && x.Label:
			c.TP++
		case yes:
			c.FP++
		case x.Label:
			c.FN++
		default:
			c.TN++
		}
	}
	return c
}

// Precision, Recall, F1 and FPR of the confusion.
func (c Confusion) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }
func (c Confusion) Recall() float64    { return ratio(c.TP, c.TP+c.FN) }
func (c Confusion) FPR() float64       { return ratio(c.FP, c.FP+c.TN) }
func (c Confusion) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

package care

import "math"

// Balance says how evenly one figure is shared across members.
type Balance struct {
	Total, Mean float64
	// Gini is 0 when everyone did the same, (n-1)/n when one member did
	// everything.
	Gini float64
	// Score is the mean over every pair of members of min/max (the pairwise
	// balance Grafana OnCall uses for schedule quality): 1 when everyone did
	// the same, 0 when one member did everything. A pair where neither did
	// anything counts 0 (nobody shares); when nobody did anything at all
	// there is nothing to share and the score is 1.
	Score float64
}

// BalanceOf computes the balance of values, one per member (zeros included).
func BalanceOf(values []float64) Balance {
	n := len(values)
	var b Balance
	for _, v := range values {
		b.Total += v
	}
	if n == 0 {
		b.Score = 1
		return b
	}
	b.Mean = b.Total / float64(n)
	b.Gini = Gini(values)
	b.Score = PairwiseScore(values)
	return b
}

// Gini is sum|xi-xj| / (2 n² mean) over all ordered pairs; 0 for no work.
func Gini(values []float64) float64 {
	n := len(values)
	var sum, diff float64
	for i, a := range values {
		sum += a
		for _, c := range values[i+1:] {
			diff += math.Abs(a - c)
		}
	}
	if n == 0 || sum == 0 {
		return 0
	}
	// diff counted each unordered pair once; the formula wants both orders.
	return 2 * diff / (2 * float64(n) * sum)
}

// PairwiseScore is the mean over unordered pairs of min/max (see Balance).
func PairwiseScore(values []float64) float64 {
	n := len(values)
	var total float64
	for _, v := range values {
		total += v
	}
	if n < 2 || total == 0 {
		return 1
	}
	var s float64
	for i, a := range values {
		for _, c := range values[i+1:] {
			if hi := math.Max(a, c); hi > 0 {
				s += math.Min(a, c) / hi
			}
		}
	}
	return s / float64(n*(n-1)/2)
}

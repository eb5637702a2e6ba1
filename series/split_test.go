package series

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func TestSplitFractions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n     int
		fracs []float64
		want  string
	}{
		{10000, []float64{0.7, 0.2, 0.1}, "[7000 2000 1000]"}, // the chapter's split
		{10, []float64{1. / 3, 1. / 3, 1. / 3}, "[3 4 3]"},    // boundaries round(3.33) = 3, round(6.67) = 7
		{3, []float64{0.5, 0.5}, "[2 1]"},                     // boundary round(1.5) = 2
		{7, []float64{1}, "[7]"},
		{0, []float64{0.5, 0.5}, "[0 0]"},
		{5, []float64{0, 1, 0}, "[0 5 0]"},
	}
	for _, tc := range tests {
		got, err := SplitFractions(tc.n, tc.fracs...)
		if err != nil {
			t.Errorf("SplitFractions(%d, %v) error = %v", tc.n, tc.fracs, err)
			continue
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("SplitFractions(%d, %v) = %v; want %s", tc.n, tc.fracs, got, tc.want)
		}
	}
}

func TestSplitFractionsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n     int
		fracs []float64
	}{
		{-1, []float64{1}},
		{10, nil},
		{10, []float64{0.7, 0.2}},
		{10, []float64{0.7, 0.4}},
		{10, []float64{-0.5, 1.5}},
		{10, []float64{math.NaN(), 1}},
	}
	for _, tc := range tests {
		if _, err := SplitFractions(tc.n, tc.fracs...); !errors.Is(err, ErrInvalid) {
			t.Errorf("SplitFractions(%d, %v) error = %v; want ErrInvalid", tc.n, tc.fracs, err)
		}
	}
}

func TestSplitCounts(t *testing.T) {
	t.Parallel()
	p := Panel{N: 10, Steps: 2, Values: seq(20)}
	parts, err := SplitCounts(p, 7, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(parts), 3; got != want {
		t.Fatalf("SplitCounts(p, 7, 2, 1) gave %d parts; want %d", got, want)
	}
	want := []string{
		"7 [0 1 2 3 4 5 6 7 8 9 10 11 12 13]",
		"2 [14 15 16 17]",
		"1 [18 19]",
	}
	for i, part := range parts {
		if got := fmt.Sprint(part.N, part.Values); got != want[i] {
			t.Errorf("part %d = %s; want %s", i, got, want[i])
		}
	}
	parts, err = SplitCounts(p, 3, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(parts[0].N, parts[1].N, parts[2].Values), "3 0 [6 7 8 9 10 11]"; got != want {
		t.Errorf("SplitCounts(p, 3, 0, 3) = %s; want %s", got, want)
	}

	errTests := []struct {
		counts []int
		want   error
	}{
		{[]int{7, 2, 2}, ErrTooShort},
		{[]int{11}, ErrTooShort},
		{[]int{math.MaxInt, math.MaxInt}, ErrInvalid},
		{[]int{5, -1}, ErrInvalid},
		{nil, ErrInvalid},
	}
	for _, tc := range errTests {
		if _, err := SplitCounts(p, tc.counts...); !errors.Is(err, tc.want) {
			t.Errorf("SplitCounts(p, %v) error = %v; want %v", tc.counts, err, tc.want)
		}
	}
}

package series

import (
	"slices"
	"testing"
)

func TestSeasonCandidates(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		times []string
		want  []int
	}{
		{"half-hourly", []string{"2000-06-05 00:00", "2000-06-05 00:30", "2000-06-05 01:00"}, []int{48, 336, 17532}},
		{"hourly", []string{"2020-01-01T00:00:00", "2020-01-01T01:00:00"}, []int{24, 168, 8766}},
		{"daily", []string{"2012-01-01", "2012-01-02", "2012-01-03"}, []int{7, 365}},
		{"weekly", []string{"2012-01-01", "2012-01-08"}, []int{52}},
		{"monthly", []string{"1964-06", "1964-07", "1964-08"}, []int{12}},
		{"quarterly", []string{"1964-01", "1964-04"}, []int{4}},
		{"yearly", []string{"1964-01", "1965-01"}, nil},
		{"integers", []string{"1", "2", "3"}, nil},
		{"one time", []string{"2012-01-01"}, nil},
	} {
		if got := SeasonCandidates(c.times); !slices.Equal(got, c.want) {
			t.Errorf("SeasonCandidates(%s %q) = %v; want %v", c.name, c.times, got, c.want)
		}
	}
}

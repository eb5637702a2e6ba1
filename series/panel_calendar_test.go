package series

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestPanelCalendar(t *testing.T) {
	t.Parallel()
	hourly := &Set{IDs: []string{"a", "b"}, Names: []string{"y"}, Starts: []int{0, 30, 40}, TimeName: "t"}
	for r := range 40 {
		h := r % 30 // b restarts at 2024-01-01 00:00
		if r >= 30 {
			h = r - 30
		}
		hourly.Values = append(hourly.Values, float64(r))
		hourly.Time = append(hourly.Time, fmt.Sprintf("2024-01-%02dT%02d:00:00", 1+h/24, h%24))
	}
	const lead = 3
	s, names, err := hourly.WithCalendar(lead)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cal_hour_of_day_sin", "cal_hour_of_day_cos", "cal_day_of_week_sin", "cal_day_of_week_cos", "cal_day_of_year_sin", "cal_day_of_year_cos"}
	if !slices.Equal(names, want) || !slices.Equal(s.Names, append([]string{"y"}, want...)) {
		t.Fatalf("names %q, set names %q; want %q", names, s.Names, want)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	// Row r of series a carries the calendar of hour r+lead: 2024-01-01 is a
	// Monday (weekday 1), day of year 1.
	for _, r := range []int{0, 20, 29, 30, 39} {
		h := r
		if r >= 30 {
			h = r - 30
		}
		h += lead
		row := s.Values[r*7 : (r+1)*7]
		day := h / 24
		wantRow := []float64{float64(r),
			math.Sin(2 * math.Pi * float64(h%24) / 24), math.Cos(2 * math.Pi * float64(h%24) / 24),
			math.Sin(2 * math.Pi * float64(1+day) / 7), math.Cos(2 * math.Pi * float64(1+day) / 7),
			math.Sin(2 * math.Pi * float64(day) / 365.25), math.Cos(2 * math.Pi * float64(day) / 365.25)}
		for k := range row {
			if math.Abs(row[k]-wantRow[k]) > 1e-12 {
				t.Errorf("row %d = %v; want %v", r, row, wantRow)
				break
			}
		}
	}
	// A shift of one step changes the features.
	s1, _, _ := hourly.WithCalendar(lead + 1)
	if slices.Equal(s.Values, s1.Values) {
		t.Error("WithCalendar(lead+1) = WithCalendar(lead)")
	}

	monthly := &Set{IDs: []string{"m"}, Names: []string{"y"}, Values: []float64{1, 2, 3}, Starts: []int{0, 3},
		Time: []string{"2024-01", "2024-02", "2024-03"}}
	ms, names, err := monthly.WithCalendar(1)
	if err != nil || !slices.Equal(names, []string{"cal_day_of_year_sin", "cal_day_of_year_cos"}) {
		t.Fatalf("monthly: %q, %v; want day of year only", names, err)
	}
	// Row 0 (2024-01) carries 2024-02-01, day of year 32.
	if got, want := ms.Values[1], math.Sin(2*math.Pi*31/365.25); math.Abs(got-want) > 1e-12 {
		t.Errorf("monthly row 0 day of year sin = %v; want %v", got, want)
	}
	for _, c := range []struct {
		name string
		s    *Set
	}{
		{"no time", &Set{IDs: []string{"a"}, Names: []string{"y"}, Values: []float64{1, 2}, Starts: []int{0, 2}}},
		{"integer times", &Set{IDs: []string{"a"}, Names: []string{"y"}, Values: []float64{1, 2}, Starts: []int{0, 2}, Time: []string{"1", "2"}}},
		{"yearly", &Set{IDs: []string{"a"}, Names: []string{"y"}, Values: []float64{1, 2}, Starts: []int{0, 2}, Time: []string{"2020-01-01", "2021-01-01"}}},
	} {
		if _, _, err := c.s.WithCalendar(1); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: WithCalendar = %v; want ErrInvalid", c.name, err)
		}
	}
}

// TestTableCalendar: a table gets the columns its one series would get as
// a Set, and a table without a time column an error saying so.
func TestTableCalendar(t *testing.T) {
	t.Parallel()
	tab := &Table{Names: []string{"y", "x"}, Rows: 10, TimeName: "date"}
	for r := range tab.Rows {
		tab.Values = append(tab.Values, float64(r), -float64(r))
		tab.Time = append(tab.Time, fmt.Sprintf("2024-03-%02d", 1+r))
	}
	got, names, err := tab.WithCalendar(2)
	if err != nil {
		t.Fatal(err)
	}
	set := &Set{IDs: []string{"a"}, Names: tab.Names, Values: tab.Values, Starts: []int{0, tab.Rows}, Time: tab.Time, TimeName: tab.TimeName}
	want, wantNames, err := set.WithCalendar(2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, wantNames) || !slices.Equal(got.Names, want.Names) || !slices.Equal(got.Values, want.Values) || got.Rows != tab.Rows {
		t.Errorf("Table.WithCalendar: names %q (%q), %d rows; want the Set's %q (%q)", names, got.Names, got.Rows, wantNames, want.Names)
	}
	if len(tab.Names) != 2 || len(tab.Values) != 20 {
		t.Error("Table.WithCalendar changed its receiver")
	}
	tab.Time = nil
	if _, _, err := tab.WithCalendar(2); !errors.Is(err, ErrInvalid) {
		t.Errorf("WithCalendar without a time column = %v; want ErrInvalid", err)
	}
}

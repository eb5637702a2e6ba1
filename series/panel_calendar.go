package series

import (
	"math"
	"slices"
	"time"
)

// The calendar features Calendar can add, in order: each a sin/cos pair.
var calendarFeatures = []struct {
	name   string
	before time.Duration // resolved by steps shorter than this
}{
	{"hour_of_day", 24 * time.Hour},
	{"day_of_week", 7 * 24 * time.Hour},
	{"day_of_year", 365 * 24 * time.Hour},
}

// WithCalendar returns a copy of s with known-future calendar features
// appended to every row: for row t of a series, the hour of day, day of
// week and day of year, as sin/cos pairs, of the time lead steps after row
// t's time, so that a window's last lead rows carry the calendar of the
// steps it forecasts (lead is normally the horizon). Only the features
// that the time step resolves are added: hour of day for steps under a
// day, day of week for steps under a week, day of year for steps under a
// year. The step is the smallest difference between consecutive times of
// any series; dates on one day of the month (or month ends) step in months.
// The columns are named cal_<feature>_sin and cal_<feature>_cos, after
// s.Names, and are returned as well.
//
// WithCalendar returns an error wrapping ErrInvalid if s has no time
// column, its times are not all dates of one layout that NextTimes reads,
// lead < 0, or the step resolves no feature (a yearly series).
func (s *Set) WithCalendar(lead int) (*Set, []string, error) {
	if s.Time == nil {
		return nil, nil, invalidf("calendar: no time column to read the calendar from")
	}
	if lead < 0 {
		return nil, nil, invalidf("calendar: lead %d, want >= 0", lead)
	}
	ax := parseTimeAxis(s.Time)
	if ax.kind != timeMonths && ax.kind != timeSeconds {
		return nil, nil, invalidf("calendar: time column %q: want dates or times such as 2006-01-02 or 2006-01-02T15:04:05, got %q", s.TimeName, s.Time[0])
	}
	groups := make([][]int, s.Len())
	for i := range groups {
		for r := s.Starts[i]; r < s.Starts[i+1]; r++ {
			groups[i] = append(groups[i], r)
		}
	}
	step := ax.step(groups)
	var dur time.Duration
	switch {
	case step == 0:
		return nil, nil, invalidf("calendar: no two consecutive times to tell the step from")
	case ax.kind == timeMonths:
		dur = time.Duration(step * 30.44 * float64(24*time.Hour)) // a mean month
	default:
		dur = time.Duration(step * float64(time.Second))
	}
	var names []string
	var use []int
	for k, f := range calendarFeatures {
		if dur < f.before {
			use = append(use, k)
			names = append(names, "cal_"+f.name+"_sin", "cal_"+f.name+"_cos")
		}
	}
	if len(use) == 0 {
		return nil, nil, invalidf("calendar: a step of %v resolves no hour of day, day of week or day of year", dur)
	}
	nf, nc := len(s.Names), len(s.Names)+len(names)
	out := *s
	out.Names = append(slices.Clone(s.Names), names...)
	out.Values = make([]float64, 0, len(s.Time)*nc)
	for r, d := range ax.dates {
		if ax.kind == timeMonths {
			d = addMonths(d, lead*int(step), ax.lastDay)
		} else {
			d = d.Add(time.Duration(float64(lead) * step * float64(time.Second)))
		}
		out.Values = append(out.Values, s.Values[r*nf:(r+1)*nf]...)
		for _, k := range use {
			var phase float64
			switch k {
			case 0:
				phase = (float64(d.Hour()) + float64(d.Minute())/60) / 24
			case 1:
				phase = float64(d.Weekday()) / 7
			case 2:
				phase = float64(d.YearDay()-1) / 365.25
			}
			out.Values = append(out.Values, math.Sin(2*math.Pi*phase), math.Cos(2*math.Pi*phase))
		}
	}
	return &out, names, nil
}

// WithCalendar is Set.WithCalendar for the one series of t: a copy of t
// with the calendar columns appended to every row, and their names.
func (t *Table) WithCalendar(lead int) (*Table, []string, error) {
	s := &Set{IDs: []string{""}, Names: t.Names, Values: t.Values, Starts: []int{0, t.Rows}, Time: t.Time, TimeName: t.TimeName}
	c, names, err := s.WithCalendar(lead)
	if err != nil {
		return nil, nil, err
	}
	out := *t
	out.Names, out.Values = c.Names, c.Values
	return &out, names, nil
}
